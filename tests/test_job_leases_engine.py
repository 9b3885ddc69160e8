"""Two engines on one PostgreSQL database, as two processes would be: a process that stalled
past its leases finds its job taken over at its next renewal and stops driving it, and the
other finishes it without submitting it again."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.bootstrap import Core, build_core
from bot.models import JobState
from bot.vendors.runway import RunwayClient
from tests.emulators.runway import RunwayEmulator
from tests.helpers import settings_for, wait_until
from tests.test_core_engine import creates, start, video

pytestmark = [
    pytest.mark.emulator(run_seconds=2.0),
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]


async def engine_on(url: str, work: Path, emu: RunwayEmulator, skew: float = 0.0) -> Core:
    settings = settings_for(
        work, database_url=url, video_vendors=["runway"], video_job_timeout=600,
        video_lease_seconds=2.0,
    )  # fmt: skip
    client = RunwayClient(api_key="test-key", base_url=emu.base_url)
    return await build_core(settings, vendors=[client], clock=lambda: time.time() + skew)


async def test_a_job_taken_over_is_dropped_by_its_old_owner_and_finished_once(
    database_url: str, tmp_path: Path, emu: RunwayEmulator
) -> None:
    stalled = await engine_on(database_url, tmp_path, emu)
    other: Core | None = None
    try:
        stalled_sink = await start(stalled)
        job_id = await video(stalled, "/video a fox in snow")

        async def running() -> bool:
            job = await stalled.store.get_job(job_id)
            return job is not None and job.state is JobState.RUNNING

        await wait_until(running, timeout=10)
        # A minute ahead, the other sees the stalled engine's lease as long run out.
        other = await engine_on(database_url, tmp_path, emu, skew=60.0)
        other_sink = await start(other)
        # At its start, or at a sweep just after (a row being written is skipped, not waited for)
        await wait_until(lambda: job_id in other.engine.tasks, timeout=10)
        await wait_until(lambda: job_id not in stalled.engine.tasks, timeout=10)

        async def delivered() -> bool:
            job = await stalled.store.get_job(job_id)
            return job is not None and job.state is JobState.DELIVERED

        await wait_until(delivered, timeout=20)
        assert len(other_sink.delivered) == 1 and stalled_sink.delivered == []
        assert creates(emu) == 1
        kinds = sorted(e.kind for e in await other.store.ledger())
        assert kinds == ["charge", "reserve"]
    finally:
        await stalled.aclose()
        if other is not None:
            await other.aclose()


async def test_a_waiting_job_nobody_took_in_time_is_refunded_by_a_sweep(
    database_url: str, tmp_path: Path, emu: RunwayEmulator
) -> None:
    intake = await engine_on(database_url, tmp_path, emu)  # its engine never starts
    try:
        job_id = await video(intake, "/video a fox in snow")
    finally:
        await intake.aclose()
    # A day later (a skewed clock) its time in line is long up: a sweep claims and refunds it.
    later = await engine_on(database_url, tmp_path, emu, skew=86_400.0)
    try:
        await start(later)

        async def refunded() -> bool:
            found = await later.store.get_job(job_id)
            return found is not None and found.error_code == "queue_timeout"

        await wait_until(refunded, timeout=10)
        assert creates(emu) == 0
    finally:
        await later.aclose()
