"""A video is handed to the adapter at most once, even across a crash mid-hand-over."""

from __future__ import annotations

from pathlib import Path

from bot.commands import read
from bot.events import EventKind
from bot.models import JobState, UserRef
from bot.service import Incoming
from bot.storage.base import JobPatch
from tests.helpers import RecordingSink, make_core, wait_until

USER = UserRef("test", "1")


async def test_a_hand_over_cut_by_a_crash_is_refunded_not_repeated(tmp_path: Path) -> None:
    core = await make_core(tmp_path)  # the local vendor; its engine is not started
    try:
        core.engine.launch = lambda job_id: None  # type: ignore[method-assign]
        reply = await core.service.handle(Incoming(user=USER, command=read("/video a crash")))
        assert reply.job is not None
        job_id = reply.job.id
        video = tmp_path / "v.mp4"
        video.write_bytes(b"\x00\x00\x00\x18ftypmp42")
        now = core.engine.clock()
        # What a process killed inside sink.deliver leaves behind:
        assert await core.store.transition(
            job_id, (JobState.QUEUED,), JobState.DELIVERING, now, JobPatch(result_path=str(video))
        )
        await core.store.update(job_id, now, JobPatch(attempt=1))
    finally:
        await core.aclose()

    core = await make_core(tmp_path)
    try:
        sink = RecordingSink()
        core.engine.subscribe("test", sink)
        await core.start()
        await wait_until(lambda: EventKind.FAILED in sink.kinds(job_id))
        assert sink.delivered == []
        job = await core.store.get_job(job_id)
        assert job is not None and job.state is JobState.FAILED
        assert job.error_code == "delivery_unknown"
        assert [e.kind for e in await core.store.ledger()] == ["reserve", "refund"]
    finally:
        await core.aclose()


async def test_known_failures_clear_the_mark_and_retry(tmp_path: Path) -> None:
    core = await make_core(tmp_path)
    try:
        sink = RecordingSink(fail_deliveries=2)
        core.engine.subscribe("test", sink)
        await core.start()
        reply = await core.service.handle(Incoming(user=USER, command=read("/video retried")))
        assert reply.job is not None
        job_id = reply.job.id

        async def delivered() -> bool:
            job = await core.store.get_job(job_id)
            return job is not None and job.state is JobState.DELIVERED

        await wait_until(delivered, timeout=60)
        assert len(sink.delivered) == 1
    finally:
        await core.aclose()
