"""Media in and out: normalising chat images for vendors, checking videos, and streaming
finished videos to disk under a size cap.

Pillow work runs in a thread so a large photo never stalls the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import tempfile
import warnings
from pathlib import Path

import httpx
from PIL import Image, ImageOps

from bot.errors import InvalidRequest, Transient, VendorError
from bot.models import Media

MAX_INPUT_IMAGE_BYTES = 20 * 1024 * 1024  # what we accept from chat before normalising
MAX_INPUT_VIDEO_BYTES = 50 * 1024 * 1024
Image.MAX_IMAGE_PIXELS = 80_000_000  # refuse decompression bombs early


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f}"


def normalise_image_sync(data: bytes, *, max_side: int, max_bytes: int) -> Media:
    """Decode, apply EXIF rotation, check the aspect ratio and re-encode as JPEG (or PNG).

    Raises InvalidRequest with a catalogue key for anything a user should fix.
    """
    if len(data) > MAX_INPUT_IMAGE_BYTES:
        raise InvalidRequest(
            "err_image_too_large", size_mb=_mb(len(data)), max_mb=_mb(MAX_INPUT_IMAGE_BYTES)
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))
            opened.load()
    except Exception:
        raise InvalidRequest("err_image_invalid") from None
    image: Image.Image = ImageOps.exif_transpose(opened) or opened
    width, height = image.size
    if width < 1 or height < 1:
        raise InvalidRequest("err_image_invalid")
    aspect = width / height
    if not 0.5 <= aspect <= 2.0:
        raise InvalidRequest("err_image_aspect", aspect=f"{aspect:.2f}")
    scale = min(1.0, max_side / max(width, height))
    if scale < 1.0:
        image = image.resize((max(1, round(width * scale)), max(1, round(height * scale))))
    has_alpha = image.mode in ("RGBA", "LA") or "transparency" in image.info
    if has_alpha:
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").split()[-1])
        image = background
    image = image.convert("RGB")
    for quality in (90, 80, 70, 60):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality, optimize=True)
        if out.tell() <= max_bytes:
            return Media(out.getvalue(), "image/jpeg", "image.jpg")
        image = image.resize((max(1, image.width * 3 // 4), max(1, image.height * 3 // 4)))
    raise InvalidRequest("err_image_too_large", size_mb=_mb(len(data)), max_mb=_mb(max_bytes))


async def normalise_image(
    data: bytes, *, max_side: int = 2048, max_bytes: int = 3_500_000
) -> Media:
    return await asyncio.to_thread(
        normalise_image_sync, data, max_side=max_side, max_bytes=max_bytes
    )


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


async def download(
    http: httpx.AsyncClient, url: str, dest: Path, *, max_bytes: int, vendor: str = ""
) -> int:
    """Stream `url` into `dest` (via a temporary file in the same folder); returns its size.

    The file appears at `dest` only when complete, so a crash never leaves half a video
    that a restart would deliver.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=".part-")
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            async with http.stream("GET", url, headers={"Accept": "video/*"}) as response:
                if response.status_code != 200:
                    raise Transient(
                        f"download answered HTTP {response.status_code}",
                        status=response.status_code,
                        vendor=vendor,
                    )
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise TooLarge(f"video is {declared} bytes", vendor=vendor)
                async for chunk in response.aiter_bytes(1 << 16):
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(f"video exceeds {max_bytes} bytes", vendor=vendor)
                    await asyncio.to_thread(out.write, chunk)
        if size == 0:
            raise Transient("download was empty", vendor=vendor)
        os.replace(tmp_name, dest)
        return size
    except httpx.HTTPError as exc:
        raise Transient(f"download failed: {type(exc).__name__}", vendor=vendor) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
