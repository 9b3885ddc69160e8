"""The job engine over real HTTP against the Runway emulator, on a real SQLite file; the
representative paths (delivered and charged, refunded, cancelled, resumed after a restart,
settled once) on PostgreSQL too."""

from __future__ import annotations

from pathlib import Path

from bot.bootstrap import Core
from bot.commands import read
from bot.events import EventKind
from bot.models import JobState, UserRef
from bot.service import Incoming, utc_day
from bot.storage.base import JobPatch
from bot.vendors.runway import RunwayClient
from tests.emulators.base import Fault
from tests.emulators.runway import RunwayEmulator
from tests.helpers import RecordingSink, finished, image_bytes, make_core, wait_until
from tests.postgres import BACKENDS

USER = UserRef("test", "1")


async def _core(tmp_path: Path, emu: RunwayEmulator, key: str = "test-key", **kw: object) -> Core:
    client = RunwayClient(api_key=key, base_url=emu.base_url)
    core = await make_core(tmp_path, vendors=[client], video_vendors=["runway"], **kw)
    return core


async def start(core: Core) -> RecordingSink:
    sink = RecordingSink()
    core.engine.subscribe("test", sink)
    await core.start()
    return sink


async def video(core: Core, text: str, **kw: object) -> str:
    reply = await core.service.handle(Incoming(user=USER, command=read(text), **kw))  # type: ignore[arg-type]
    assert reply.job is not None, reply.text
    return reply.job.id


async def used(core: Core) -> int:
    return (await core.store.balance(USER, utc_day(core.engine.clock()))).used_today


def creates(emu: RunwayEmulator) -> int:
    return emu.count("POST", "/v1/")


@BACKENDS
async def test_text_video_is_delivered_and_charged_once(core: Core, emu: RunwayEmulator) -> None:
    sink = await start(core)
    job_id = await video(core, "/video a lighthouse in a storm")
    assert await finished(core, job_id) is JobState.DELIVERED
    (_job, path, caption), *_ = sink.delivered
    assert path.read_bytes()[4:8] == b"ftyp"
    assert "a lighthouse in a storm" in caption
    kinds = sink.kinds(job_id)
    assert kinds[0] is EventKind.ACCEPTED and kinds[-1] is EventKind.FINISHED
    assert await used(core) == 1
    ledger = [(e.kind, e.amount) for e in await core.store.ledger()]
    assert ledger == [("reserve", 1), ("charge", 1)]
    assert creates(emu) == 1 and len(emu.tasks) == 1
    body = next(r["json"] for r in emu.log if r["method"] == "POST")
    assert body["model"] == "gen4.5" and body["promptText"] == "a lighthouse in a storm"


@BACKENDS
async def test_photo_goes_to_the_vendor_as_a_data_uri(core: Core, emu: RunwayEmulator) -> None:
    await start(core)
    photo = image_bytes((800, 600), "PNG")
    from bot.models import Media

    job_id = await video(core, "/video make it wave", images=[Media(photo, "image/png")])
    assert await finished(core, job_id) is JobState.DELIVERED
    body = next(r["json"] for r in emu.log if r["method"] == "POST")
    assert body["model"] == "gen4.5"  # Runway's first-frame default
    assert body["promptImage"].startswith("data:image/jpeg;base64,")
    assert body["ratio"] == "1104:832"  # 4:3, the nearest ratio to the 800x600 photo


@BACKENDS
async def test_moderation_failure_is_refunded(core: Core, emu: RunwayEmulator) -> None:
    sink = await start(core)
    job_id = await video(core, "/video something [moderate]")
    assert await finished(core, job_id) is JobState.FAILED
    failed = [e for e in sink.events if e.kind is EventKind.FAILED]
    assert len(failed) == 1 and "refunded" in failed[0].text
    assert await used(core) == 0
    assert [e.kind for e in await core.store.ledger()] == ["reserve", "refund"]
    job = await core.store.get_job(job_id)
    assert job is not None and job.error_code == "moderated"


async def test_429_on_create_then_success(core: Core, emu: RunwayEmulator) -> None:
    await start(core)
    emu.fail_next(
        "create",
        Fault(429, {"error": "Too many requests"}, {"Retry-After": "0.1"}),
    )
    job_id = await video(core, "/video a fox running through snow")
    assert await finished(core, job_id) is JobState.DELIVERED
    assert creates(emu) == 2 and len(emu.tasks) == 1


async def test_5xx_on_create_and_poll_then_success(core: Core, emu: RunwayEmulator) -> None:
    await start(core)
    emu.fail_next("create", Fault(502, {"error": "Bad gateway"}))
    emu.fail_next("poll", Fault(503, {"error": "unavailable"}), times=2)
    job_id = await video(core, "/video a fox")
    assert await finished(core, job_id) is JobState.DELIVERED
    assert len(emu.tasks) == 1 and await used(core) == 1


async def test_task_that_never_finishes_times_out_with_refund(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    core = await _core(tmp_path, emu, video_job_timeout=0.6)
    try:
        sink = await start(core)
        job_id = await video(core, "/video waiting forever [never]")
        assert await finished(core, job_id) is JobState.FAILED
        assert "took too long" in sink.events[-1].text
        assert await used(core) == 0
        assert emu.count("DELETE", "/v1/tasks/") == 1  # cancelled at the vendor too
    finally:
        await core.aclose()


async def test_unknown_create_outcome_is_not_resubmitted(core: Core, emu: RunwayEmulator) -> None:
    await start(core)
    emu.fail_next("create", Fault(drop=True, process=True))
    job_id = await video(core, "/video a dropped answer")
    assert await finished(core, job_id) is JobState.FAILED
    assert creates(emu) == 1
    job = await core.store.get_job(job_id)
    assert job is not None and job.error_code == "unknown_outcome"
    assert await used(core) == 0


async def test_next_vendor_takes_over_when_the_first_refuses_the_key(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    async with RunwayEmulator("other-key", flavour="openai-hk", run_seconds=0.1) as backup:
        from bot.vendors.runway import OpenAIHKClient

        vendors = [
            RunwayClient(api_key="wrong-key", base_url=emu.base_url),
            OpenAIHKClient(api_key="other-key", base_url=backup.base_url),
        ]
        core = await make_core(tmp_path, vendors=vendors, video_vendors=["runway", "openai-hk"])
        try:
            await start(core)
            from bot.models import Media

            job_id = await video(core, "/video wave", images=[Media(image_bytes(), "image/jpeg")])
            assert await finished(core, job_id) is JobState.DELIVERED
            assert len(emu.tasks) == 0 and len(backup.tasks) == 1
            job = await core.store.get_job(job_id)
            assert job is not None and job.vendor == "openai-hk"
        finally:
            await core.aclose()


@BACKENDS
async def test_cancel_refunds_once_and_stops_the_job(core: Core, emu: RunwayEmulator) -> None:
    sink = await start(core)
    job_id = await video(core, "/video slow one [never]")
    await wait_until(lambda: EventKind.ACCEPTED in sink.kinds(job_id))
    reply = await core.service.cancel(USER, job_id[:8], "en")
    assert "Cancelled" in reply.text and not reply.error
    again = await core.service.cancel(USER, job_id[:8], "en")
    assert again.error
    assert (await core.store.get_job(job_id)).state is JobState.CANCELLED  # type: ignore[union-attr]
    assert [e.kind for e in await core.store.ledger()] == ["reserve", "refund"]
    assert emu.count("DELETE", "/v1/tasks/") == 1
    assert core.engine.in_flight == 0


async def test_stranger_cannot_cancel(core: Core, emu: RunwayEmulator) -> None:
    await start(core)
    job_id = await video(core, "/video mine [never]")
    reply = await core.service.cancel(UserRef("test", "2"), job_id, "en")
    assert reply.error and "I can't find a video" in reply.text  # as for no such job
    assert (await core.store.get_job(job_id)).state is not JobState.CANCELLED  # type: ignore[union-attr]


async def test_failed_deliveries_are_retried_then_charged(core: Core, emu: RunwayEmulator) -> None:
    sink = RecordingSink(fail_deliveries=2)
    core.engine.subscribe("test", sink)
    await core.start()
    job_id = await video(core, "/video retry me")
    assert await finished(core, job_id) is JobState.DELIVERED
    assert len(sink.delivered) == 1
    assert [e.kind for e in await core.store.ledger()] == ["reserve", "charge"]


@BACKENDS
async def test_restart_resumes_a_running_job_without_resubmitting(
    tmp_path: Path, emu: RunwayEmulator, database_url: str
) -> None:
    emu.run_seconds = 1.0
    first = await _core(tmp_path, emu, database_url=database_url)
    sink = await start(first)
    job_id = await video(first, "/video survive a restart")
    await wait_until(lambda: EventKind.ACCEPTED in sink.kinds(job_id))
    await first.aclose()  # the process goes away mid-render

    second = await _core(tmp_path, emu, database_url=database_url)
    try:
        sink2 = await start(second)
        assert await finished(second, job_id) is JobState.DELIVERED
        assert len(sink2.delivered) == 1 and creates(emu) == 1
        assert [e.kind for e in await second.store.ledger()] == ["reserve", "charge"]
    finally:
        await second.aclose()


async def test_interrupted_create_is_refunded_not_replayed(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    core = await _core(tmp_path, emu)
    try:
        launch = core.engine.launch
        core.engine.launch = lambda job_id: None  # type: ignore[method-assign]
        job_id = await video(core, "/video interrupted")  # queued, never started
        core.engine.launch = launch  # type: ignore[method-assign]
        assert await core.store.transition(
            job_id, (JobState.QUEUED,), JobState.SUBMITTING, 0.0, JobPatch(vendor="runway")
        )
        await start(core)
        assert await finished(core, job_id) is JobState.FAILED
        assert creates(emu) == 0 and await used(core) == 0
    finally:
        await core.aclose()


@BACKENDS
async def test_settle_is_exactly_once(core: Core) -> None:
    job_id = await video(core, "/video settle me")
    await core.engine.stop()
    now = core.engine.clock()
    assert await core.store.settle(job_id, charge=False, state=JobState.FAILED, now=now)
    assert not await core.store.settle(job_id, charge=False, state=JobState.FAILED, now=now)
    assert not await core.store.settle(job_id, charge=True, state=JobState.DELIVERED, now=now)
    assert [e.kind for e in await core.store.ledger()] == ["reserve", "refund"]
