"""Fuzzing media: random bytes posing as photos and videos, and damaged real images.

Properties: `handle` never lets an exception out, a refusal is a catalogue message, a
refusal moves no credit, and an accepted job reserves exactly its cost.
"""

from __future__ import annotations

import asyncio
import io
import struct
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from bot.bootstrap import Core
from bot.commands import read
from bot.models import Media
from bot.service import Incoming
from tests.helpers import image_bytes
from tests.test_fuzz_commands import USER, check_handle

pytestmark = pytest.mark.intake("runway", "aimlapi")

FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

JPEG = image_bytes((96, 64), "JPEG")
PNG = image_bytes((64, 96), "PNG")
WEBP = image_bytes((64, 64), "WEBP")
HEADERS = [
    b"",
    b"\xff\xd8\xff\xe0",
    b"\x89PNG\r\n\x1a\n",
    b"GIF89a",
    b"RIFF\x00\x00\x00\x00WEBP",
    b"\x00\x00\x00\x18ftypmp42",
    b"\x00\x00\x00\x14ftypqt  ",
    b"\x1a\x45\xdf\xa3",
    b"BM",
    b"II*\x00",
    b"<svg",
]
MIMES = [
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/*",
    "video/mp4",
    "video/quicktime",
    "application/octet-stream",
    "",
]


def _exif_image() -> bytes:
    """A JPEG with an EXIF orientation tag, so damage can land in the EXIF block."""
    img = Image.new("RGB", (80, 40), "navy")
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


EXIF = _exif_image()


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    """A real image, truncated, with flipped bytes, or with garbage spliced in."""
    data = bytearray(draw(st.sampled_from([JPEG, PNG, WEBP, EXIF])))
    for _ in range(draw(st.integers(0, 8))):
        i = draw(st.integers(0, len(data) - 1))
        data[i] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


BLOBS = st.one_of(
    st.binary(max_size=2048),
    st.builds(lambda h, tail: h + tail, st.sampled_from(HEADERS), st.binary(max_size=2048)),
    damaged(),
)
MEDIA = st.builds(Media, BLOBS, st.sampled_from(MIMES), st.sampled_from(["", "x.jpg", "v.mp4"]))


@given(
    text=st.sampled_from(
        [
            "/video make it wave",
            "/video a day into night",
            "/video restyle it",
            "/act",
            "/act --body",
            "/video --ratio 9:16 x",
            "/video",
        ]
    ),
    images=st.lists(MEDIA, max_size=3),
    video=st.none() | MEDIA,
    character=st.none() | MEDIA,
)
@FUZZ
def test_random_bytes_as_media_are_refused_cleanly(
    core_loop: tuple[Core, asyncio.AbstractEventLoop],
    text: str,
    images: list[Media],
    video: Media | None,
    character: Media | None,
) -> None:
    core, loop = core_loop
    msg = Incoming(user=USER, command=read(text), images=images, video=video, character=character)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loop.run_until_complete(check_handle(core, msg, text))
    # A damaged photo is the user's problem, answered in chat, not noise on the operator's stderr.
    assert not [w for w in caught if "PIL" in w.filename], [str(w.message) for w in caught]


def _photo_with_broken_exif() -> bytes:
    """A good JPEG whose EXIF orientation tag points past the end of the file."""
    tiff = b"II*\x00" + struct.pack("<IH", 8, 1)
    tiff += struct.pack("<HHII", 0x0112, 3, 100, 0x1000) + struct.pack("<I", 0)
    payload = b"Exif\x00\x00" + tiff
    jpeg = image_bytes()
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def test_a_photo_with_broken_exif_is_used_quietly(
    core_loop: tuple[Core, asyncio.AbstractEventLoop],
) -> None:
    core, loop = core_loop
    photo = Media(_photo_with_broken_exif(), "image/jpeg", "photo.jpg")
    msg = Incoming(user=USER, command=read("/video make it wave"), images=[photo])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reply = loop.run_until_complete(core.service.handle(msg))
    assert reply.job is not None, reply.text  # the pixels are fine: the job goes ahead
    assert not [w for w in caught if "PIL" in w.filename], [str(w.message) for w in caught]
