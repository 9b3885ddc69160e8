"""Word between processes on PostgreSQL (LISTEN/NOTIFY), with two engines on one database
as two processes would be: a cancel, an operator refund and a vendor callback that reach
the engine not driving the job act in the one that does, at once. The jobs poll once an
hour and the operator sweep runs once an hour here, so only a signal can explain it."""

from __future__ import annotations

import io
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.ops.admin import refund
from bot.bootstrap import Core, build_core
from bot.events import EventKind
from bot.jobs import operator
from bot.jobs.settle import CancelResult
from bot.models import JobState
from bot.vendors.runway import RunwayClient
from tests.emulators.runway import RunwayEmulator
from tests.helpers import RecordingSink, settings_for, wait_until
from tests.test_core_engine import start, video

HOUR = 3600.0
pytestmark = [
    pytest.mark.emulator(run_seconds=0.2),
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]


async def engine_on(url: str, work: Path, emu: RunwayEmulator) -> Core:
    settings = settings_for(
        work, database_url=url, video_vendors=["runway"], video_job_timeout=HOUR,
        video_poll_interval=HOUR,
    )  # fmt: skip
    client = RunwayClient(api_key="test-key", base_url=emu.base_url)
    return await build_core(settings, vendors=[client], clock=time.time)


@pytest.fixture
async def pair(
    database_url: str, tmp_path: Path, emu: RunwayEmulator, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Core, RecordingSink, Core, RecordingSink]]:
    """The owner, which has a running job, and another engine; both started."""
    monkeypatch.setattr(operator, "OPERATOR_SWEEP_SECONDS", HOUR)
    owner = await engine_on(database_url, tmp_path, emu)
    other = await engine_on(database_url, tmp_path, emu)
    try:
        owner_sink, other_sink = await start(owner), await start(other)
        yield owner, owner_sink, other, other_sink
    finally:
        await owner.aclose()
        await other.aclose()


async def running_job(core: Core) -> str:
    job_id = await video(core, "/video a fox in snow")

    async def running() -> bool:
        job = await core.store.get_job(job_id)
        return job is not None and job.state is JobState.RUNNING

    await wait_until(running, timeout=10)
    return job_id


async def test_a_cancel_in_another_process_stops_the_owner_driving_the_job(
    pair: tuple[Core, RecordingSink, Core, RecordingSink], emu: RunwayEmulator
) -> None:
    owner, owner_sink, other, other_sink = pair
    job_id = await running_job(owner)
    assert await other.engine.cancel(job_id) is CancelResult.OK
    await wait_until(lambda: job_id not in owner.engine.tasks, timeout=10)
    assert emu.count("DELETE", "/v1/tasks/") == 1  # stopped at the vendor, once
    assert other_sink.kinds(job_id)[-1] is EventKind.FAILED  # told where it was asked
    assert EventKind.FAILED not in owner_sink.kinds(job_id)
    kinds = sorted(e.kind for e in await owner.store.ledger())
    assert kinds == ["refund", "reserve"]


async def test_an_operator_refund_reaches_the_owner_at_once(
    pair: tuple[Core, RecordingSink, Core, RecordingSink],
) -> None:
    owner, owner_sink, _other, other_sink = pair
    job_id = await running_job(owner)
    await refund(owner.store, job_id, io.StringIO())
    await wait_until(lambda: EventKind.FAILED in owner_sink.kinds(job_id), timeout=10)
    assert job_id not in owner.engine.tasks
    assert owner_sink.kinds(job_id).count(EventKind.FAILED) == 1
    assert other_sink.kinds(job_id) == []  # told once, by the owner


async def test_a_vendor_callback_to_another_process_wakes_the_owners_poll(
    pair: tuple[Core, RecordingSink, Core, RecordingSink],
) -> None:
    owner, owner_sink, other, _other_sink = pair
    job_id = await running_job(owner)
    job = await owner.store.get_job(job_id)
    assert job is not None and job.vendor_task_id is not None
    task_id = job.vendor_task_id

    def called_back() -> bool:  # as a vendor would, again until the task is done
        assert other.engine.wake("runway", task_id) is False  # not polled there
        return len(owner_sink.delivered) == 1

    await wait_until(called_back, timeout=10, step=0.3)
