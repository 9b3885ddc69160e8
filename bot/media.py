"""Media in and out: checking videos and streaming finished videos to disk under a size cap.

Chat images are normalised in bot/images.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import httpx

from bot.errors import InvalidRequest, Transient, VendorError
from bot.models import Media
from bot.netguard import PrivateAddress
from bot.vendors.transport import stream_get

MAX_INPUT_IMAGE_BYTES = 20 * 1024 * 1024  # what we accept from chat before normalising
MAX_INPUT_VIDEO_BYTES = 50 * 1024 * 1024


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f}"


def sniff_video(data: bytes) -> str | None:
    """The MIME type of an mp4/mov/webm/gif by its magic bytes, or None."""
    head = data[:16]
    if head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:10] == b"qt" else "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    return None


def check_video(media: Media, *, max_bytes: int) -> Media:
    """Accept a source video only if it really is one and fits the vendors' limit."""
    mime = sniff_video(media.data)
    if mime is None or not mime.startswith("video/"):
        raise InvalidRequest("err_video_invalid")
    if len(media.data) > max_bytes:
        raise InvalidRequest(
            "err_video_too_large", size_mb=_mb(len(media.data)), max_mb=_mb(max_bytes)
        )
    return Media(media.data, mime, media.filename or "video.mp4")


class TooLarge(VendorError):
    code = "too_large"


class NotPublic(VendorError):
    """The result URL leads to this machine or a private network; never fetched."""

    code = "not_public"


class LocalWriteError(Exception):
    """Writing the download to local disk failed (full disk, permissions): not the vendor's
    fault, and its URL is still good, so the caller may try again."""


WRITE_BATCH = 1 << 20  # bytes gathered before a trip to a worker thread to write them


class _PartFile:
    """The temporary file a download goes to, next to its destination.

    Every method does file-system work and runs in a worker thread: a profile of 10,000
    downloads showed creating the file (mkdir, mkstemp) as the event loop's largest single
    cost. The file is created on the first write, so a small video costs one trip in all.
    """

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.name: str | None = None
        self.out: io.BufferedWriter | None = None

    def write(self, chunks: list[bytes]) -> None:
        if self.out is None:
            self.dest.parent.mkdir(parents=True, exist_ok=True)
            fd, self.name = tempfile.mkstemp(dir=self.dest.parent, prefix=".part-")
            self.out = os.fdopen(fd, "wb")
        self.out.writelines(chunks)

    def commit(self, chunks: list[bytes]) -> None:
        """Write the rest and move the file into place whole."""
        self.write(chunks)
        assert self.out is not None and self.name is not None
        self.out.close()
        os.replace(self.name, self.dest)
        self.name = None

    def discard(self) -> None:
        if self.out is not None:
            self.out.close()
        if self.name is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.name)


async def _local(work: Callable[[list[bytes]], None], chunks: list[bytes]) -> None:
    """File work in a worker thread; its OSError becomes LocalWriteError."""
    try:
        await asyncio.to_thread(work, chunks)
    except OSError as exc:
        raise LocalWriteError(f"{type(exc).__name__}: {exc}") from exc


async def _unbounded(
    budget: asyncio.Timeout, work: Callable[[list[bytes]], None], chunks: list[bytes]
) -> None:
    """Let file work finish even if the time budget runs out meanwhile: a cancelled await
    would leave its thread writing to a file that is then removed. The budget still ends
    the download at the next read."""
    when = budget.when()
    budget.reschedule(None)
    try:
        await _local(work, chunks)
    finally:
        budget.reschedule(when)


async def download(
    http: httpx.AsyncClient,
    url: str,
    dest: Path,
    *,
    max_bytes: int,
    vendor: str = "",
    time_limit: float | None = None,
    public_only: bool = False,
) -> int:
    """Stream `url` into `dest` (via a temporary file in the same folder); returns its size.

    The file appears at `dest` only when complete, so a crash never leaves half a video
    that a restart would deliver. At most WRITE_BATCH bytes are held in memory. `time_limit`
    bounds the whole download (a server sending a byte a second passes every per-read
    timeout); `public_only` refuses non-public addresses (NotPublic). A local write failure
    raises LocalWriteError.
    """
    part = _PartFile(dest)
    size = 0
    try:
        async with (
            asyncio.timeout(time_limit) as budget,
            stream_get(http, url, {"Accept": "video/*"}, public_only=public_only) as opened,
        ):
            status, headers, pieces = opened
            if status != 200:
                raise Transient(f"download answered HTTP {status}", status=status, vendor=vendor)
            declared = headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise TooLarge(f"video is {declared} bytes", vendor=vendor)
            pending: list[bytes] = []
            buffered = 0
            async for chunk in pieces:
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(f"video exceeds {max_bytes} bytes", vendor=vendor)
                pending.append(chunk)
                buffered += len(chunk)
                if buffered >= WRITE_BATCH:
                    await _unbounded(budget, part.write, pending)
                    pending, buffered = [], 0
        if size == 0:
            raise Transient("download was empty", vendor=vendor)
        await _local(part.commit, pending)
        return size
    except TimeoutError:
        raise Transient(f"download took over {time_limit:g}s", vendor=vendor) from None
    except PrivateAddress:
        raise NotPublic("result URL leads to a non-public address", vendor=vendor) from None
    except httpx.HTTPError as exc:
        raise Transient(f"download failed: {type(exc).__name__}", vendor=vendor) from None
    finally:
        if part.name is not None:
            await asyncio.to_thread(part.discard)
