"""The bot's own queue, end to end against the Runway emulator over real HTTP: jobs beyond
MAX_JOBS_PER_USER wait with their place in line, go to the vendor in fair turns, and can be
cancelled (refunded) or time out in line (refunded)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.bootstrap import Core
from bot.commands import read
from bot.events import EventKind
from bot.models import JobState, UserRef
from bot.service import Incoming
from tests.emulators.runway import RunwayEmulator
from tests.helpers import RecordingSink, wait_until
from tests.test_core_engine import _core, creates, finished, start

pytestmark = pytest.mark.emulator(run_seconds=0.6)

USER = UserRef("test", "1")


@contextlib.asynccontextmanager
async def running(
    tmp_path: Path, emu: RunwayEmulator, **kw: object
) -> AsyncIterator[tuple[Core, RecordingSink]]:
    """A started core and the sink of its "test" users, closed after."""
    core = await _core(tmp_path, emu, **kw)
    try:
        yield core, await start(core)
    finally:
        await core.aclose()


def at_vendor(emu: RunwayEmulator) -> int:
    """Tasks the emulator is rendering (or queuing) right now."""
    now = emu.clock()
    return sum(1 for t in emu.tasks.values() if t.phase(now)[0] in ("queued", "running"))


async def peak_until_delivered(core: Core, emu: RunwayEmulator, job_ids: list[str]) -> int:
    """Wait until every job is delivered; the most tasks the vendor had at once meanwhile."""
    most = 0

    async def all_done() -> bool:
        nonlocal most
        most = max(most, at_vendor(emu))
        jobs = [await core.store.get_job(j) for j in job_ids]
        return all(j is not None and j.state is JobState.DELIVERED for j in jobs)

    await wait_until(all_done, timeout=30, step=0.01)
    return most


async def ask(core: Core, text: str, user: UserRef = USER, locale: str | None = None) -> str:
    return (await core.service.handle(Incoming(user=user, command=read(text), locale=locale))).text


async def test_five_at_once_wait_their_turn_two_at_a_time(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    async with running(tmp_path, emu, max_jobs_per_user=2) as (core, sink):
        replies = await asyncio.gather(
            *(core.service.handle(Incoming(user=USER, command=read(f"/video fox {i}")))
              for i in range(5))
        )  # fmt: skip
        assert all(r.job is not None for r in replies), [r.text for r in replies]
        waiting = sorted(r.text.rsplit("\n", 1)[1] for r in replies if "in line" in r.text)
        assert [w.split(" · ")[0] for w in waiting] == [
            "⏳ 1st in line", "⏳ 2nd in line", "⏳ 3rd in line",
        ]  # fmt: skip
        assert all("ready in about" in w for w in waiting)
        job_ids = [r.job.id for r in replies if r.job is not None]
        assert await peak_until_delivered(core, emu, job_ids) == 2
        assert len(sink.delivered) == 5 and creates(emu) == 5  # each submitted once
        prompts = sorted(t.prompt for t in emu.tasks.values())
        assert prompts == [f"fox {i}" for i in range(5)]
        # the waiting ones were shown moving up the line, then rendering with time left
        texts = [e.text for e in sink.events if e.kind is EventKind.PROGRESS]
        assert any("1st in line" in t for t in texts)
        assert any("Rendering" in t and "left" in t for t in texts)


@pytest.mark.emulator(run_seconds=30)
async def test_cancel_in_line_refunds_and_moves_the_rest_up(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    async with running(tmp_path, emu, max_jobs_per_user=1) as (core, sink):
        ids = []
        for i in range(4):
            reply = await core.service.handle(Incoming(user=USER, command=read(f"/video cat {i}")))
            assert reply.job is not None
            ids.append(reply.job.id)
        await wait_until(lambda: creates(emu) == 1)
        second, third, fourth = ids[1:]
        assert core.engine.standings.of(third).place == 2  # type: ignore[union-attr]
        text = await ask(core, f"/cancel {second[:8]}")
        assert "Cancelled" in text and "1 credit(s) refunded" in text
        job = await core.store.get_job(second)
        assert job is not None and job.state is JobState.CANCELLED
        kinds = [(e.kind, e.job_id) for e in await core.store.ledger() if e.job_id == second]
        assert kinds == [("reserve", second), ("refund", second)]
        for job_id, place in ((third, "1st"), (fourth, "2nd")):
            await wait_until(
                lambda j=job_id, p=place: any(  # type: ignore[misc]
                    e.job.id == j and f"{p} in line" in e.text for e in sink.events
                )
            )
        jobs = await ask(core, "/jobs")
        assert "in line · ⏳ 1st in line" in jobs and "left" in jobs
        assert creates(emu) == 1  # nothing else went to the vendor meanwhile


@pytest.mark.emulator(run_seconds=30)
async def test_a_job_waiting_past_the_queue_timeout_is_refunded(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    settings = {"max_jobs_per_user": 1, "video_queue_timeout": 0.5}
    async with running(tmp_path, emu, **settings) as (core, sink):
        first = await core.service.handle(Incoming(user=USER, command=read("/video one")))
        second = await core.service.handle(Incoming(user=USER, command=read("/video two")))
        assert first.job is not None and second.job is not None
        assert await finished(core, second.job.id) is JobState.FAILED
        job = await core.store.get_job(second.job.id)
        assert job is not None and job.error_code == "queue_timeout"
        assert any("waited in line too long" in e.text for e in sink.events)
        # the first, at the vendor, runs on under VIDEO_JOB_TIMEOUT, counted from submission
        running_job = await core.store.get_job(first.job.id)
        assert running_job is not None and running_job.state is JobState.RUNNING
        assert running_job.submitted_at is not None
        assert running_job.deadline_at == pytest.approx(running_job.submitted_at + 30)
        assert creates(emu) == 1


async def test_more_than_the_queue_allows_is_refused_clearly(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    settings = {"max_jobs_per_user": 1, "max_queued_per_user": 1}
    async with running(tmp_path, emu, **settings) as (core, _):
        await ask(core, "/video one")
        assert "1st in line" in await ask(core, "/video two")
        assert "rendering or waiting in line (limit 2)" in await ask(core, "/video three")
        assert "排队" in await ask(core, "/video 四", locale="zh-CN")
