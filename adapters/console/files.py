"""Reading the files a console user names (`--image PATH`), safely.

Why: a path can name anything. A FIFO blocks its reader until someone writes (and a thread
blocked in a read keeps the process from exiting on SIGTERM), /dev/zero never ends, and a
sparse file can claim gigabytes. Only regular files are read, and never past the input
limit the chat adapters apply to downloads.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
import threading
from pathlib import Path

from bot import texts
from bot.media import MAX_INPUT_IMAGE_BYTES, MAX_INPUT_VIDEO_BYTES

# Which limit (and which "too large" message) applies to each kind of file option.
LIMITS = {
    "images": (MAX_INPUT_IMAGE_BYTES, "err_image_too_large"),
    "video": (MAX_INPUT_VIDEO_BYTES, "err_video_too_large"),
    "character": (MAX_INPUT_VIDEO_BYTES, "err_video_too_large"),  # a photo or a video
}


async def read_file(path: str, kind: str, locale: str | None) -> bytes:
    """`read_input` in a daemon thread of its own, not the loop's executor: should a read
    still block (a hung network mount), it cannot hold up the exit SIGTERM asks for."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[bytes] = loop.create_future()

    def settle(result: bytes | None, error: BaseException | None) -> None:
        if done.done():
            return  # the caller was cancelled meanwhile
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(result or b"")

    def work() -> None:
        try:
            result, error = read_input(path, kind, locale), None
        except Exception as exc:
            result, error = None, exc
        with contextlib.suppress(RuntimeError):  # the loop closed while this read blocked
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=work, name="console-file", daemon=True).start()
    return await done


def read_input(path: str, kind: str, locale: str | None) -> bytes:
    """The bytes of the regular file at `path`; ValueError (a friendly text) otherwise.

    Opened non-blocking, so a FIFO cannot stall the open itself, then checked by its
    descriptor, so the checked file is the file read.
    """
    limit, too_large = LIMITS[kind]
    nonblock = getattr(os, "O_NONBLOCK", 0)  # Windows has none (and no FIFOs on disk)
    fd = os.open(Path(path).expanduser(), os.O_RDONLY | nonblock)
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(texts.t(locale, "err_not_a_file", path=path))
        if nonblock:
            os.set_blocking(fd, True)
        data = fh.read(limit + 1) if info.st_size <= limit else b""
        size = max(info.st_size, len(data))
    if size > limit:
        raise ValueError(texts.t(locale, too_large, size_mb=_mb(size), max_mb=_mb(limit)))
    return data


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f}"
