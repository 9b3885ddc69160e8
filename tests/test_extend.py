"""⏩ Extend in the core with the local renderer (real ffmpeg renders): a delivered 5 s
video continued from its last frame arrives as one video of about 10 s whose first half is
the original, frame for frame; the new clip is a paid job of its own, started from the last
frame. Who may, and a video no longer kept, are refused before any credit moves."""

from __future__ import annotations

import asyncio
from pathlib import Path

import imageio_ffmpeg
from PIL import Image, ImageChops, ImageStat

from bot.chat import StoredChat
from bot.command_types import ExtendCommand
from bot.commands import read
from bot.models import JobState, Mode, UserRef
from bot.service import Incoming
from tests.helpers import RecordingSink, finished
from tests.test_kept_results import started  # the local renderer, kept results on

ANN = UserRef("test", "1")
BOB = UserRef("test", "2")
RENDER_WAIT = 180.0


def frames(path: Path) -> tuple[tuple[int, int], list[bytes]]:
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    return tuple(meta["size"]), list(reader)  # type: ignore[return-value]


def difference(size: tuple[int, int], a: bytes, b: bytes) -> float:
    """Mean absolute difference of two RGB frames, 0-255."""
    one, two = Image.frombytes("RGB", size, a), Image.frombytes("RGB", size, b)
    return float(sum(ImageStat.Stat(ImageChops.difference(one, two)).mean) / 3)


async def test_extend_delivers_one_video_whose_first_half_is_the_original(
    tmp_path: Path,
) -> None:
    sink = RecordingSink()
    core = await started(tmp_path, sink)
    try:
        reply = await core.service.handle(Incoming(ANN, read("/video a paper boat --ratio 16:9")))
        assert reply.job is not None, reply.text
        assert await finished(core, reply.job.id, RENDER_WAIT) is JobState.DELIVERED
        original = sink.delivered[0][1]
        assert core.service.result_buttons(sink.delivered[0][0]) == ("again", "extend", "upscale")

        before = [(e.kind, e.amount) for e in await core.store.ledger()]
        extended = await core.service.handle(
            Incoming(ANN, read(f"/extend {reply.job.short_id} the boat sails on"))
        )
        assert extended.job is not None, extended.text
        job = extended.job
        assert job.request.mode is Mode.IMAGE and job.request.extends == reply.job.id
        assert job.prompt == "the boat sails on"
        media = await core.store.media(job.id)
        assert set(media) == {"first_frame"}
        assert await finished(core, job.id, RENDER_WAIT) is JobState.DELIVERED
        ledger = [(e.kind, e.amount) for e in await core.store.ledger()]
        assert ledger == [*before, ("reserve", 1), ("charge", 1)]  # its own cost

        joined = sink.delivered[1][1]
        count, seconds = await asyncio.to_thread(imageio_ffmpeg.count_frames_and_secs, str(joined))
        assert abs(seconds - 10.0) < 0.3, seconds
        size, first_half = await asyncio.to_thread(frames, original)
        joined_size, all_frames = await asyncio.to_thread(frames, joined)
        assert joined_size == size and len(all_frames) == count
        assert len(first_half) == 120  # 5 s at 24 fps
        for index in (0, 40, 80, 119):  # the original, frame for frame (re-encoded)
            assert difference(size, first_half[index], all_frames[index]) < 4.0
        # the second half starts where the original ended, and is not the original again
        assert difference(size, first_half[-1], all_frames[120]) < 12.0
        assert difference(size, first_half[0], all_frames[120]) > 4.0
        assert sink.delivered[1][0].result_path == str(joined)
    finally:
        await core.aclose()


async def test_extend_is_refused_before_any_credit_moves(tmp_path: Path) -> None:
    sink = RecordingSink()
    core = await started(tmp_path, sink)
    try:
        reply = await core.service.handle(Incoming(ANN, read("/video a paper boat")))
        assert reply.job is not None
        assert await finished(core, reply.job.id, RENDER_WAIT) is JobState.DELIVERED
        before = await core.store.ledger()
        elsewhere = StoredChat({})
        stranger = await core.service.extend(BOB, ExtendCommand(reply.job.id), "en", elsewhere)
        assert stranger.error and "can't find a finished video" in stranger.text
        path = Path(sink.delivered[0][1])
        await asyncio.to_thread(path.unlink)  # pruned
        gone = await core.service.extend(ANN, ExtendCommand(reply.job.id), "en", elsewhere)
        assert gone.error and "no longer kept" in gone.text
        which = await core.service.handle(Incoming(ANN, read("/extend")))
        assert which.error and "Which video" in which.text
        assert await core.store.ledger() == before
        assert len(await core.store.user_jobs(ANN)) == 1
    finally:
        await core.aclose()
