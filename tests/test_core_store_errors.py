"""A task the vendor accepted is never lost to a store error (a full disk): its id is
recorded after a brief failure, or it is cancelled at the vendor and the job refunded with
a notice, over real HTTP against the Runway emulator on a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

import bot.jobs.run
from bot.bootstrap import Core
from bot.events import EventKind
from bot.models import JobState
from bot.storage.base import NO_CHANGE, JobPatch, Store
from bot.texts import CATALOG
from tests.emulators.runway import RunwayEmulator
from tests.helpers import RecordingSink
from tests.test_core_engine import _core, finished, start, used, video

pytestmark = pytest.mark.emulator(run_seconds=0.1)


class FullDiskStore:
    """The real store, except that recording an accepted task (SUBMITTING -> RUNNING)
    raises the error SQLite gives on a full disk, `failures` times, and so does settling a
    job `settle_failures` times. It stands in for a full disk, which a test cannot make on
    demand."""

    def __init__(self, inner: Store, failures: int, settle_failures: int = 0) -> None:
        self.inner = inner
        self.failures = failures
        self.settle_failures = settle_failures
        self.refused = 0

    async def transition(
        self,
        job_id: str,
        expect: tuple[JobState, ...],
        state: JobState,
        now: float,
        patch: JobPatch = NO_CHANGE,
    ) -> bool:
        if expect == (JobState.SUBMITTING,) and state is JobState.RUNNING and self.failures:
            self.failures -= 1
            self.refused += 1
            raise sqlite3.OperationalError("database or disk is full")
        return await self.inner.transition(job_id, expect, state, now, patch)

    async def settle(self, job_id: str, **kw: Any) -> bool:
        if self.settle_failures:
            self.settle_failures -= 1
            raise sqlite3.OperationalError("database or disk is full")
        return await self.inner.settle(job_id, **kw)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


async def _run(
    tmp_path: Path, emu: RunwayEmulator, failures: int, settle_failures: int = 0
) -> tuple[Core, FullDiskStore, RecordingSink, str]:
    """A started core whose store refuses to record the accepted task `failures` times,
    and the id of a job it runs to its end."""
    core = await _core(tmp_path, emu)
    store = FullDiskStore(core.store, failures, settle_failures)
    core.engine.store = store  # type: ignore[assignment]
    sink = await start(core)
    job_id = await video(core, "/video a fox")
    await finished(core, job_id)
    return core, store, sink, job_id


async def test_an_accepted_task_survives_a_brief_store_error(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    core, store, sink, job_id = await _run(tmp_path, emu, failures=2)
    try:
        assert (await core.store.get_job(job_id)).state is JobState.DELIVERED  # type: ignore[union-attr]
        assert store.refused == 2 and len(sink.delivered) == 1
        assert emu.count("POST", "/v1/") == 1 and emu.count("DELETE", "/v1/tasks/") == 0
        assert await used(core) == 1
    finally:
        await core.aclose()


async def test_an_accepted_task_that_cannot_be_recorded_is_cancelled_and_refunded(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    core, _store, sink, job_id = await _run(tmp_path, emu, failures=1000)
    try:
        job = await core.store.get_job(job_id)
        assert job is not None and job.state is JobState.FAILED and job.error_code == "storage"
        assert emu.count("POST", "/v1/") == 1 and emu.count("DELETE", "/v1/tasks/") == 1
        (task_id,) = emu.tasks
        assert task_id in (job.error_text or "")  # the operator can find the vendor task
        (notice,) = [e.text for e in sink.events if e.kind is EventKind.FAILED]
        assert notice == CATALOG["failed_storage"]["en"].format(cost=1)
        assert await used(core) == 0 and core.engine.in_flight == 0
    finally:
        await core.aclose()


async def test_a_job_whose_refund_fails_too_is_run_again_and_refunded(
    tmp_path: Path, emu: RunwayEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.jobs.run, "RELAUNCH_SECONDS", 0.1)
    core, store, sink, job_id = await _run(tmp_path, emu, failures=1000, settle_failures=2)
    try:
        job = await core.store.get_job(job_id)
        assert job is not None and job.state is JobState.FAILED and store.settle_failures == 0
        assert emu.count("DELETE", "/v1/tasks/") == 1
        assert [e.kind for e in sink.events].count(EventKind.FAILED) == 1
        assert await used(core) == 0 and core.engine.in_flight == 0
    finally:
        await core.aclose()
