"""Normalising chat images for the vendors, with memory and CPU bounded per image.

A small file can hold a huge picture (a 325 KB PNG of 79 megapixels decodes to a gigabyte),
so the size is read from the header before any pixel is decoded, JPEGs are decoded straight
at the scale that is sent (outputs are at most a few thousand pixels on a side), and at most
`DECODE_WORKERS` images are decoded at once. The pixel cap is checked here, on every image;
it relies on no process-wide state (warning filters, `Image.MAX_IMAGE_PIXELS`), which other
threads may change at any time.
"""

from __future__ import annotations

import asyncio
import io
import struct
import warnings
from concurrent.futures import ThreadPoolExecutor

from PIL import Image

from bot.errors import InvalidRequest
from bot.media import MAX_INPUT_IMAGE_BYTES, _mb
from bot.models import Media

MAX_DECODE_PIXELS = 40_000_000  # what one image may decode to: about 160 MB at 4 bytes each
DECODE_WORKERS = 2
FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP")  # what chats send; no exotic decoders

# Pillow warns (UserWarning) about damaged metadata it then skips; that is the user's
# problem, answered in chat, not noise for the operator. Installed once, never toggled.
warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)

_DECODERS = ThreadPoolExecutor(DECODE_WORKERS, thread_name_prefix="image-decode")

_ORIENTATION_TAG = 0x0112
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.0f}"


def _split_jpeg_exif(data: bytes) -> tuple[bytes, bytes | None]:
    """(the JPEG without its EXIF and MPF blocks, its first EXIF block).

    Pillow parses a JPEG's EXIF while opening it and warns about damaged tags; warnings are
    process-wide state a worker thread cannot safely silence, so Pillow never sees them.
    """
    if not data.startswith(b"\xff\xd8"):
        return data, None
    pieces, start, pos, exif = [], 0, 2, None
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xDA or 0xD0 <= marker <= 0xD9 or marker == 0x01:  # no more headers
            break
        (length,) = struct.unpack_from(">H", data, pos + 2)
        end = pos + 2 + length
        body = data[pos + 4 : end]
        if marker in (0xE1, 0xE2) and body.startswith((b"Exif\x00\x00", b"MPF\x00")):
            if exif is None and body.startswith(b"Exif"):
                exif = body
            pieces.append(data[start:pos])
            start = end
        pos = end
    if not pieces:
        return data, exif
    return b"".join([*pieces, data[start:]]), exif


def orientation(raw: object) -> int:
    """The EXIF orientation (1-8) read from a raw EXIF block, 1 if absent or damaged.

    Read by hand because Pillow's EXIF parser warns about damaged tags, and only this one
    tag of the first directory matters here.
    """
    if not isinstance(raw, bytes):
        return 1
    tiff = raw[6:] if raw.startswith(b"Exif\x00\x00") else raw
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None or len(tiff) < 8:
        return 1
    try:
        (first,) = struct.unpack_from(order + "I", tiff, 4)
        (count,) = struct.unpack_from(order + "H", tiff, first)
        for n in range(min(count, 512)):
            tag, kind, _, value = struct.unpack_from(order + "HHI4s", tiff, first + 2 + 12 * n)
            if tag == _ORIENTATION_TAG and kind == 3:  # SHORT, stored in the value field
                (found,) = struct.unpack_from(order + "H", value)
                return found if found in _TRANSPOSE else 1
    except struct.error:
        return 1
    return 1


def _open(data: bytes) -> tuple[Image.Image, int]:
    """The image's header only (nothing is decoded yet) and its EXIF orientation."""
    if len(data) > MAX_INPUT_IMAGE_BYTES:
        raise InvalidRequest(
            "err_image_too_large", size_mb=_mb(len(data)), max_mb=_mb(MAX_INPUT_IMAGE_BYTES)
        )
    try:
        data, exif = _split_jpeg_exif(data)
        image = Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.DecompressionBombError:
        raise InvalidRequest(
            "err_image_pixels",
            megapixels=f"> {_megapixels(2 * (Image.MAX_IMAGE_PIXELS or 0))}",
            max=_megapixels(MAX_DECODE_PIXELS),
        ) from None
    except Exception:
        raise InvalidRequest("err_image_invalid") from None
    width, height = image.size
    if width < 1 or height < 1:
        raise InvalidRequest("err_image_invalid")
    return image, orientation(exif or image.info.get("exif"))


def displayed_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) as displayed (EXIF orientations 5-8 turn the picture on its side),
    from the header alone; None if it is not an image we read."""
    try:
        image, turned = _open(data)
        with image:
            return (image.height, image.width) if turned in (5, 6, 7, 8) else image.size
    except InvalidRequest:
        return None


def normalise_image_sync(data: bytes, *, max_side: int, max_bytes: int) -> Media:
    """Decode within the pixel budget, apply EXIF rotation, check the aspect ratio and
    re-encode as JPEG no larger than `max_side` and `max_bytes`.

    Raises InvalidRequest with a catalogue key for anything a user should fix.
    """
    image, turned = _open(data)
    width, height = image.size
    aspect = height / width if turned in (5, 6, 7, 8) else width / height
    if not 0.5 <= aspect <= 2.0:
        raise InvalidRequest("err_image_aspect", aspect=f"{aspect:.2f}")
    scale = min(1.0, max_side / max(width, height))
    # A JPEG decodes straight at 1/2, 1/4 or 1/8 scale when that still covers the output.
    image.draft(None, (max(1, round(width * scale)), max(1, round(height * scale))))
    pixels = image.width * image.height
    if pixels > MAX_DECODE_PIXELS:
        raise InvalidRequest(
            "err_image_pixels",
            megapixels=_megapixels(width * height),
            max=_megapixels(MAX_DECODE_PIXELS),
        )
    try:
        image.load()
    except Exception:
        raise InvalidRequest("err_image_invalid") from None
    image.thumbnail((max_side, max_side), reducing_gap=2.0)  # in place, via reduce()
    if turned in _TRANSPOSE:
        image = image.transpose(_TRANSPOSE[turned])
    return _encode(image, len(data), max_bytes)


def _encode(image: Image.Image, size: int, max_bytes: int) -> Media:
    """JPEG on white (transparency flattened), lowering quality and then size to fit."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.split()[-1])
        image = background
    image = image.convert("RGB")
    for quality in (90, 80, 70, 60):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality, optimize=True)
        if out.tell() <= max_bytes:
            return Media(out.getvalue(), "image/jpeg", "image.jpg")
        image = image.resize((max(1, image.width * 3 // 4), max(1, image.height * 3 // 4)))
    raise InvalidRequest("err_image_too_large", size_mb=_mb(size), max_mb=_mb(max_bytes))


async def normalise_image(
    data: bytes, *, max_side: int = 2048, max_bytes: int = 3_500_000
) -> Media:
    """`normalise_image_sync` on one of the decoding threads: at most DECODE_WORKERS images
    are decoded at once, whatever the number of chats sending them."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        _DECODERS, lambda: normalise_image_sync(data, max_side=max_side, max_bytes=max_bytes)
    )
