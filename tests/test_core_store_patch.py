"""Store writes take a typed `JobPatch`: it changes only the columns it names, writes None
when None is asked for, stores a chat address as its JSON, and cannot name a column the
store does not have."""

from __future__ import annotations

import pytest

from bot.chat import StoredChat
from bot.models import JobState
from bot.storage import Store
from bot.storage.base import JobPatch, QuotaPolicy
from tests.postgres import BACKENDS
from tests.test_core_store_access import new_job

JOB = "p" * 32
POLICY = QuotaPolicy(day="2026-01-01", per_day=10, max_active=5, unlimited=False)


@pytest.fixture
async def store(store: Store) -> Store:
    """The store on each backend, holding one reserved job."""
    await store.reserve(new_job(JOB, "patched"), POLICY, 1.0)
    return store


@BACKENDS
async def test_a_patch_changes_only_the_columns_it_names(store: Store) -> None:
    assert await store.transition(
        JOB, (JobState.RESERVED,), JobState.SUBMITTING, 2.0,
        JobPatch(vendor="runway", idempotency_key="key-1"),
    )  # fmt: skip
    await store.update(JOB, 3.0, JobPatch(progress=0.5))
    await store.update(JOB, 4.0, JobPatch(vendor_task_id="task-1"))
    job = await store.get_job(JOB)
    assert job is not None
    assert (job.state, job.vendor, job.vendor_task_id, job.progress) == (
        JobState.SUBMITTING, "runway", "task-1", 0.5,
    )  # fmt: skip
    assert (job.error_code, job.result_path, job.result_url, job.attempt) == (None, None, None, 0)
    assert job.chat.to_json() == {"chat_id": 1} and job.updated_at == 4.0


@BACKENDS
async def test_an_empty_patch_only_moves_the_clock(store: Store) -> None:
    before = await store.get_job(JOB)
    await store.update(JOB, 9.0, JobPatch())
    after = await store.get_job(JOB)
    assert before is not None and after is not None
    assert after.updated_at == 9.0
    assert (after.state, after.vendor, after.progress, after.deadline_at) == (
        before.state, before.vendor, before.progress, before.deadline_at,
    )  # fmt: skip


@BACKENDS
async def test_none_is_written_when_asked(store: Store) -> None:
    await store.update(JOB, 2.0, JobPatch(vendor="runway", result_url="https://x/v.mp4"))
    assert await store.transition(
        JOB, (JobState.RESERVED,), JobState.RESERVED, 3.0, JobPatch(vendor=None)
    )
    await store.update(JOB, 4.0, JobPatch(result_url=None))
    job = await store.get_job(JOB)
    assert job is not None and (job.vendor, job.result_url) == (None, None)


@BACKENDS
async def test_settle_writes_its_patch_and_a_cleared_notice_is_seen(store: Store) -> None:
    assert await store.settle(
        JOB, charge=False, state=JobState.FAILED, now=2.0,
        patch=JobPatch(error_code="unavailable", error_text="down", notice="refunded"),
    )  # fmt: skip
    job = await store.get_job(JOB)
    assert job is not None and (job.error_code, job.error_text) == ("unavailable", "down")
    assert [(j.id, text) for j, text in await store.pending_notices(0)] == [(JOB, "refunded")]
    await store.update(JOB, 3.0, JobPatch(notice=None))
    assert await store.pending_notices(0) == []


@BACKENDS
async def test_a_chat_address_is_stored_as_its_json(store: Store) -> None:
    await store.update(JOB, 2.0, JobPatch(chat=StoredChat({"chat_id": 1, "status": 7})))
    job = await store.get_job(JOB)
    assert job is not None and job.chat.to_json() == {"chat_id": 1, "status": 7}


def test_a_patch_cannot_name_an_unknown_column() -> None:
    with pytest.raises(TypeError):
        JobPatch(bogus=1)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        JobPatch("runway")  # type: ignore[call-arg]  # keyword-only: a value says its column
