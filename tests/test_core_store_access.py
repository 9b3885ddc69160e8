"""What callers outside bot/storage rely on: damage found after the open arrives as one
StoreUnavailable line, `accounts` reads every credit for a reconciliation, and inspecting a
database for `doctor` never changes it."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.chat import StoredChat
from bot.models import JobRequest, JobState, Mode, UserRef
from bot.storage import Store, StoreUnavailable, open_store
from bot.storage.account_types import DailyUsage
from bot.storage.base import JobPatch, NewJob, QuotaPolicy
from bot.storage.health import inspect_store
from bot.storage.migrations import MIGRATIONS
from tests.postgres import BACKENDS
from tests.test_ops_instance import damaged_copy

USER = UserRef("telegram", "1")


def new_job(job_id: str, prompt: str) -> NewJob:
    return NewJob(
        id=job_id, user=USER, request=JobRequest(prompt, Mode.TEXT), cost=2, locale="en",
        chat=StoredChat({"chat_id": 1}), deadline_at=100.0, media={},
    )  # fmt: skip


async def test_damage_found_after_the_open_is_store_unavailable_naming_the_file(
    tmp_path: Path,
) -> None:
    path = damaged_copy(tmp_path)
    store = await open_store(f"sqlite:///{path}")  # the schema's pages are intact
    try:
        with pytest.raises(StoreUnavailable) as caught:
            await store.list_jobs(limit=10_000)
    finally:
        await store.close()
    line = str(caught.value)
    assert line.startswith(f"{path}: ") and "malformed" in line and "\n" not in line


@BACKENDS
async def test_accounts_hold_every_payment_usage_and_bonus(store: Store) -> None:
    policy = QuotaPolicy(day="2026-01-01", per_day=3, max_active=5, unlimited=False)
    await store.grant(USER, 4, 1.0)
    await store.reserve(new_job("a" * 32, "first"), policy, 2.0)
    await store.reserve(new_job("b" * 32, "second"), policy, 3.0)
    await store.settle("a" * 32, charge=True, state=JobState.DELIVERED, now=4.0)
    await store.transition(
        "b" * 32, (JobState.QUEUED,), JobState.RUNNING, 5.0, JobPatch(vendor="x")
    )
    accounts = await store.accounts()
    jobs = {job.id: job for job in accounts.jobs}
    first, second = jobs["a" * 32], jobs["b" * 32]
    assert (first.settled, first.paid_daily, first.paid_bonus, first.state) == (
        "charged", 2, 0, "delivered",
    )  # fmt: skip
    assert (second.settled, second.paid_daily, second.paid_bonus, second.vendor) == (
        None, 1, 1, "x",
    )  # fmt: skip
    assert second.request["prompt"] == "second" and second.quota_day == "2026-01-01"
    assert accounts.usage == [DailyUsage("telegram:1", "2026-01-01", 3)]
    assert accounts.bonuses == {"telegram:1": 3}


def test_inspecting_never_creates_nor_migrates(tmp_path: Path) -> None:
    missing = tmp_path / "new" / "videobot.db"
    health = inspect_store(f"sqlite:///{missing}")
    assert health.status == "ok" and "does not exist yet" in health.detail
    assert not missing.exists() and not missing.parent.exists()

    old = tmp_path / "old.db"
    with closing(sqlite3.connect(old)) as db:
        db.execute("CREATE TABLE t (x)")
    health = inspect_store(f"sqlite:///{old}")
    assert health.status == "warn"
    assert health.detail == (
        f"{old}: schema v0, this build needs v{len(MIGRATIONS)}; migrated at the next start"
    )
    with closing(sqlite3.connect(old)) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (0,)

    assert inspect_store("mysql://db/videobot").status == "fail"


@BACKENDS
async def test_a_refused_write_is_not_reported_as_a_damaged_database(store: Store) -> None:
    """A constraint the caller broke (here: a job id used twice) is the caller's bug, not
    damage: the operator must not be told to restore a backup."""
    policy = QuotaPolicy(day="2026-01-01", per_day=9, max_active=5, unlimited=False)
    await store.reserve(new_job("c" * 32, "once"), policy, 1.0)
    with pytest.raises(Exception) as caught:
        await store.reserve(new_job("c" * 32, "twice"), policy, 2.0)
    assert not isinstance(caught.value, StoreUnavailable)
    assert "unique" in str(caught.value).lower()  # the driver's own constraint error
    assert (await store.balance(USER, "2026-01-01")).used_today == 2  # nothing taken twice
