"""Video clips for ⏩ Extend, with the bundled ffmpeg run as a child process the event loop
awaits: the last frame of a video (the next clip's first frame), and two clips joined into
one, re-encoded to the first clip's size and frame rate so clips of any shape fit."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from pathlib import Path

from bot.fit import probe, run_ffmpeg


class ClipError(Exception):
    """ffmpeg could not read or write a clip."""


async def last_frame(video: Path) -> bytes:
    """The last frame of `video` as PNG bytes (lossless: it starts the next clip)."""
    with tempfile.TemporaryDirectory(prefix="frame-") as folder:
        out = Path(folder) / "last.png"
        # Every frame of the last second is written over the same file: the last one stays.
        args = ["-hide_banner", "-loglevel", "error", "-y", "-sseof", "-1", "-i", str(video),
                "-update", "1", str(out)]  # fmt: skip
        code, err = await run_ffmpeg(args)
        if code != 0 or not await asyncio.to_thread(out.is_file):
            raise ClipError(f"cannot take the last frame: {err[-200:]}")
        return await asyncio.to_thread(out.read_bytes)


def join_args(
    first: Path, second: Path, out: Path, width: int, height: int, fps: float
) -> list[str]:
    """ffmpeg arguments that join two clips, both scaled (and padded) to width x height."""
    shape = (
        f"scale={width}:{height}:force_original_aspect_ratio=decrease,"
        f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps={fps:g},format=yuv420p"
    )
    graph = f"[0:v]{shape}[a];[1:v]{shape}[b];[a][b]concat=n=2:v=1:a=0[v]"
    return [
        "-hide_banner", "-loglevel", "error", "-y", "-i", str(first), "-i", str(second),
        "-filter_complex", graph, "-map", "[v]", "-c:v", "libx264", "-preset", "veryfast",
        "-crf", "20", "-movflags", "+faststart", str(out),
    ]  # fmt: skip


async def join(first: Path, second: Path, out: Path) -> Path:
    """`first` then `second` as one video at `out` (written whole, then moved into place)."""
    shape = await probe(first)
    if shape is None:
        raise ClipError(f"cannot read {first.name}")
    # even sides: H.264 in yuv420p needs them
    width, height = shape.width // 2 * 2, shape.height // 2 * 2
    part = out.with_name(f".part-{out.name}")
    code, err = await run_ffmpeg(join_args(first, second, part, width, height, shape.fps))
    if code != 0:
        with contextlib.suppress(OSError):
            await asyncio.to_thread(part.unlink)
        raise ClipError(f"cannot join the clips: {err[-200:]}")
    await asyncio.to_thread(part.replace, out)
    return out
