"""Re-encoding a result to fit a chat's upload limit, with the ffmpeg imageio-ffmpeg ships.

- H.264 at a bitrate computed from the duration and the limit (a margin kept for the
  container and the audio), `+faststart` so players start before the whole file arrived.
- The picture is scaled down only when that bitrate falls below the quality floor of its
  height: a small, clean video beats a large, blocky one.
- ffmpeg runs as a child process awaited by asyncio, so the event loop never waits on it,
  and at most FIT_CONCURRENCY run at once (the CPU is shared with everything else).
- None when even that does not fit; the caller then sends the vendor's link.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot import texts
from bot.vendors.local import ffmpeg_exe

log = logging.getLogger("videobot.fit")

FIT_CONCURRENCY = 1
AUDIO_BITS = 64_000  # AAC, bits per second, when the source has sound
MARGIN = 0.90  # of the limit, for the container and the encoder's overshoot
# (height, the least video bits per second that height still looks right at), largest first
QUALITY_FLOORS = ((1080, 2_000_000), (720, 1_000_000), (480, 450_000), (360, 250_000))
MIN_VIDEO_BITS = 60_000  # below this nothing is worth sending: use the link
_slots = asyncio.Semaphore(FIT_CONCURRENCY)

_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_SIZE = re.compile(r"Stream #.*Video:.*?(\d{2,5})x(\d{2,5})")
_FPS = re.compile(r"Stream #.*Video:.*?([\d.]+) fps")


@dataclass(frozen=True, slots=True)
class Probe:
    duration: float  # seconds
    width: int
    height: int
    audio: bool
    fps: float = 25.0


async def run_ffmpeg(args: list[str]) -> tuple[int, str]:
    """Run the bundled ffmpeg as a child process the loop awaits: (exit code, stderr)."""
    proc = await asyncio.create_subprocess_exec(
        ffmpeg_exe(), *args, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    try:
        _, err = await proc.communicate()
    except asyncio.CancelledError:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        raise
    return proc.returncode or 0, err.decode(errors="replace")


async def probe(video: Path) -> Probe | None:
    """Duration, size and sound of `video` from ffmpeg's report (no ffprobe is shipped)."""
    _, err = await run_ffmpeg(["-hide_banner", "-i", str(video)])
    duration = _DURATION.search(err)
    size = _SIZE.search(err)
    if duration is None or size is None:
        return None
    hours, minutes, seconds = duration.groups()
    total = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    audio = "Audio:" in err
    fps = _FPS.search(err)
    rate = float(fps.group(1)) if fps else 25.0
    return Probe(total, int(size.group(1)), int(size.group(2)), audio, rate)


def video_bits(limit: int, found: Probe) -> int:
    """Video bits per second that fill `limit` bytes over the video's duration."""
    total = limit * 8 * MARGIN / max(found.duration, 0.1)
    return int(total - (AUDIO_BITS if found.audio else 0))


def floor_of(height: int) -> int:
    """The least video bits per second a picture `height` pixels high looks right at."""
    return next((b for h, b in QUALITY_FLOORS if h <= height), QUALITY_FLOORS[-1][1])


def target_height(bits: int, height: int) -> int:
    """The source height while `bits` meets its floor, else the largest smaller height
    whose floor it meets (at least the smallest listed)."""
    if bits >= floor_of(height):
        return height
    smaller = (h for h, b in QUALITY_FLOORS if h < height and bits >= b)
    return next(smaller, min(height, QUALITY_FLOORS[-1][0]))


def encode_args(source: Path, out: Path, bits: int, found: Probe) -> list[str]:
    """The ffmpeg command line (without the executable) for one re-encode."""
    height = target_height(bits, found.height)
    scale = ["-vf", f"scale=-2:{height}"] if height < found.height else []
    audio = ["-c:a", "aac", "-b:a", str(AUDIO_BITS)] if found.audio else ["-an"]
    return [
        "-hide_banner", "-loglevel", "error", "-y", "-i", str(source), *scale,
        "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
        "-b:v", str(bits), "-maxrate", str(bits), "-bufsize", str(bits),
        *audio, "-movflags", "+faststart", str(out),
    ]  # fmt: skip


async def fit(video: Path, limit: int, work_dir: Path) -> Path | None:
    """A copy of `video` re-encoded under `limit` bytes in `work_dir` (the caller deletes
    it once sent), or None when it cannot be made to fit."""
    async with _slots:
        found = await probe(video)
        if found is None:
            log.warning("cannot read %s to re-encode it", video.name)
            return None
        await asyncio.to_thread(work_dir.mkdir, parents=True, exist_ok=True)
        out = work_dir / f"fit-{uuid.uuid4().hex[:12]}.mp4"
        bits = video_bits(limit, found)
        for _ in range(2):  # the encoder may overshoot; a second try aims lower
            if bits < MIN_VIDEO_BITS:
                break
            code, err = await run_ffmpeg(encode_args(video, out, bits, found))
            size = (await asyncio.to_thread(out.stat)).st_size if code == 0 else None
            if size is not None and size <= limit:
                log.info("re-encoded %s to %d bytes (limit %d)", video.name, size, limit)
                return out
            log.info("re-encode of %s: %s bytes, limit %d; %s", video.name, size, limit, err[-200:])
            bits = int(bits * 0.75)
        with contextlib.suppress(OSError):
            await asyncio.to_thread(out.unlink)
        return None


@asynccontextmanager
async def within(video: Path, limit: int, work_dir: Path) -> AsyncIterator[Path | None]:
    """`video` when it fits `limit` bytes, else a re-encoded copy (deleted on leaving),
    else None: the caller sends the link instead."""
    size = (await asyncio.to_thread(video.stat)).st_size
    if size <= limit:
        yield video
        return
    fitted = await fit(video, limit, work_dir)
    try:
        yield fitted
    finally:
        if fitted is not None:
            with contextlib.suppress(OSError):
                await asyncio.to_thread(fitted.unlink)


def compressed_note(locale: str, job_id: str) -> str:
    """The caption's last line for a video that was re-encoded to fit."""
    return "\n" + texts.t(locale, "caption_compressed", id=job_id)
