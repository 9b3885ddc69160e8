"""⤴ Upscale in the core: a finished video upscaled as a new job, by the local renderer (a
real ffmpeg render at twice the size) and by Runway (`POST /v1/video_upscale` against the
emulator, whose body checks are the SDK's own types), with its own price and refunds; who
may, and what happens when the result is gone, before any credit moves."""

from __future__ import annotations

import asyncio
from pathlib import Path

import imageio_ffmpeg
import pytest

from bot.bootstrap import Core
from bot.chat import StoredChat
from bot.commands import read
from bot.models import Job, JobRequest, JobState, Mode, UserRef
from bot.service import Incoming, utc_day
from bot.storage.base import JobPatch
from bot.vendors.local import LocalVendor
from bot.vendors.runway import OpenAIHKClient
from tests.emulators.runway import RunwayEmulator
from tests.helpers import RecordingSink, finished, make_core, runway_core

pytestmark = pytest.mark.emulator(run_seconds=0.1)

RENDER_WAIT = 120.0  # seconds: ffmpeg renders for real, on a machine other tests load too
ANN = UserRef("test", "1")
BOB = UserRef("test", "2")


async def started(core: Core, sink: RecordingSink) -> Core:
    core.engine.subscribe("test", sink)
    await core.start()
    return core


async def video(core: Core, text: str = "/video a paper boat", user: UserRef = ANN) -> str:
    reply = await core.service.handle(Incoming(user=user, command=read(text)))
    assert reply.job is not None, reply.text
    assert await finished(core, reply.job.id, RENDER_WAIT) is JobState.DELIVERED
    return reply.job.id


async def ledger(core: Core) -> list[tuple[str, str | None, int]]:
    return [(e.kind, e.job_id, e.amount) for e in await core.store.ledger()]


async def size_of(path: Path) -> tuple[int, int]:
    def read() -> tuple[int, int]:
        frames = imageio_ffmpeg.read_frames(str(path))
        meta = next(frames)
        frames.close()
        width, height = meta["size"]
        return int(width), int(height)

    return await asyncio.to_thread(read)


async def test_the_local_renderer_upscales_its_kept_render_to_twice_the_size(
    tmp_path: Path,
) -> None:
    sink = RecordingSink()  # keeps its files, as the console does
    vendor = LocalVendor(work_dir=tmp_path / "local")
    # Kept results off, so what a platform keeps decides alone
    settings = {"result_retention_days": 0, "video_job_timeout": RENDER_WAIT}  # a slow machine
    core = await started(await make_core(tmp_path, vendors=[vendor], **settings), sink)
    try:
        first = await video(core, "/video a paper boat --ratio 1:1")
        made = sink.delivered[0][0]
        assert core.service.result_buttons(made, kept=True) == ("again", "extend", "upscale")
        assert core.service.result_buttons(made) == ("again",)  # the file is not kept
        reply = await core.service.handle(Incoming(user=ANN, command=read(f"/upscale {first[:8]}")))
        assert reply.job is not None, reply.text
        assert reply.job.request.mode is Mode.UPSCALE
        assert "local_upscale" in reply.text and "Cost: 1 credit(s)" in reply.text
        assert await finished(core, reply.job.id, RENDER_WAIT) is JobState.DELIVERED
        (_, small, _), (upscaled, big, _) = sink.delivered
        assert upscaled.id == reply.job.id
        assert await size_of(big) == tuple(2 * side for side in await size_of(small))
        assert core.service.result_buttons(upscaled) == ()  # no Again nor Upscale under it
        # charged once each, the upscale at its own price
        charges = [(kind, amount) for kind, job, amount in await ledger(core) if kind == "charge"]
        assert charges == [("charge", 1), ("charge", 1)]
    finally:
        await core.aclose()


async def test_upscale_without_a_job_takes_the_latest_delivered_video(tmp_path: Path) -> None:
    sink = RecordingSink()
    core = await started(
        await make_core(tmp_path, vendors=[LocalVendor(work_dir=tmp_path / "local")]), sink
    )
    try:
        none_yet = await core.service.handle(Incoming(user=ANN, command=read("/upscale")))
        assert none_yet.error and "no finished video" in none_yet.text
        await video(core, "/video one")
        latest = await video(core, "/video two")
        reply = await core.service.handle(Incoming(user=ANN, command=read("/upscale")))
        assert reply.job is not None and reply.job.request.prompt == "two"
        source = reply.job.request.source_url or ""
        job = await core.store.get_job(latest)
        assert job is not None and job.result_path
        assert source == (await asyncio.to_thread(Path(job.result_path).resolve)).as_uri()
    finally:
        await core.aclose()


@pytest.fixture
async def runway(tmp_path: Path, emu: RunwayEmulator) -> Core:
    upscale = "magnific_video_upscaler_creative:per_second"
    core = await runway_core(
        tmp_path, emu.base_url, quota_costs={"*:per_second": 0.2, upscale: 0.6}
    )
    sink = RecordingSink()
    sink.keep_files = False  # as the chat platforms: only Runway's URL is left
    return await started(core, sink)


async def test_runway_upscales_the_result_url_as_a_new_paid_job(
    runway: Core, emu: RunwayEmulator
) -> None:
    try:
        first = await video(runway)
        job = await runway.store.get_job(first)
        assert job is not None and job.result_url
        reply = await runway.service.upscale(ANN, first, "en", StoredChat({}))
        assert reply.job is not None, reply.text
        assert reply.job.cost == 3  # 5 s at 0.6 a second, rounded up
        assert "Cost: 3 credit(s). Credits left today: 6" in reply.text
        assert await finished(runway, reply.job.id) is JobState.DELIVERED
        (body,) = [r["json"] for r in emu.log if r["path"] == "/v1/video_upscale"]
        assert body == {"model": "magnific_video_upscaler_creative", "videoUri": job.result_url}
        upscaled = await runway.store.get_job(reply.job.id)
        assert upscaled is not None and upscaled.vendor_cost == 75  # 15 Runway credits x 5 s
        assert [(k, a) for k, j, a in await ledger(runway) if j == reply.job.id] == [
            ("reserve", 3),
            ("charge", 3),
        ]
    finally:
        await runway.aclose()


async def test_a_failed_upscale_is_refunded(runway: Core, emu: RunwayEmulator) -> None:
    try:
        first = await video(runway)
        emu.outcome = "fail"
        reply = await runway.service.upscale(ANN, first, "en", StoredChat({}))
        assert reply.job is not None, reply.text
        assert await finished(runway, reply.job.id) is JobState.FAILED
        assert [(k, a) for k, j, a in await ledger(runway) if j == reply.job.id] == [
            ("reserve", 3),
            ("refund", 3),
        ]
        balance = await runway.store.balance(ANN, utc_day(runway.engine.clock()))
        assert balance.used_today == 1  # the first video only
    finally:
        await runway.aclose()


async def test_a_stranger_or_a_gone_result_is_refused_before_any_credit_moves(
    runway: Core, emu: RunwayEmulator
) -> None:
    try:
        first = await video(runway)
        before = await ledger(runway)
        creates = emu.count("POST", "/v1/")
        # Bob, elsewhere: the same answer as for no such job
        stranger = await runway.service.upscale(BOB, first, "en", StoredChat({}))
        unknown = await runway.service.upscale(BOB, "0" * 32, "en", StoredChat({}))
        assert stranger.error and stranger.text == unknown.text.replace("0" * 12, first[:12])
        typed = await runway.service.handle(Incoming(user=BOB, command=read(f"/upscale {first}")))
        assert typed.error and "can't find a finished video" in typed.text
        # the vendor's URL has expired (a day on) and no file was kept
        await runway.store.update(first, 0.0, JobPatch(result_url=None))
        gone = await runway.service.upscale(ANN, first, "zh", StoredChat({}))
        assert gone.error and "无法放大" in gone.text and first[:8] in gone.text
        assert await ledger(runway) == before
        assert emu.count("POST", "/v1/") == creates
        assert not await runway.store.user_jobs(BOB)
    finally:
        await runway.aclose()


async def test_without_a_vendor_that_upscales_there_is_no_button_and_upscale_says_so(
    tmp_path: Path,
) -> None:
    async with RunwayEmulator("test-key", flavour="openai-hk", run_seconds=0.1) as emu:
        client = OpenAIHKClient(api_key="test-key", base_url=emu.base_url)
        sink = RecordingSink()
        core = await make_core(tmp_path, vendors=[client], video_vendors=["openai-hk"])
        await started(core, sink)
        try:
            reply = await core.service.handle(
                Incoming(user=ANN, command=read("/upscale abc"), locale="en")
            )
            assert reply.error and "none is set up here" in reply.text
            assert not await core.store.ledger()
            made = Job("f" * 32, ANN, JobState.DELIVERED, JobRequest("p", Mode.IMAGE), cost=1)
            assert core.service.result_buttons(made) == ("again",)
        finally:
            await core.aclose()
