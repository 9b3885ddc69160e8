"""Image decoding is bounded: the pixel cap is read from the header, JPEGs decode at the
scale that is sent, at most a few images decode at once, and no process-wide state (warning
filters, Pillow's own limit) decides whether a huge picture is decoded."""

from __future__ import annotations

import asyncio
import io
import struct
import subprocess
import sys
import threading
import time
import warnings
import zlib
from pathlib import Path

import pytest
from PIL import Image

from bot import images
from bot.errors import InvalidRequest
from bot.models import Media
from tests.helpers import spy_on_decoding

ROOT = Path(__file__).resolve().parent.parent


def sparse_png(width: int, height: int) -> bytes:
    """A valid black RGB PNG of any size, built row by row: a few hundred KB on disk for
    tens of megapixels, without ever holding the pixels in memory."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + 3 * width)  # filter byte + pixels
    parts = [packer.compress(row) for _ in range(height)]
    idat = b"".join(parts) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat)
    return png + chunk(b"IEND", b"")


CHILD = """
import sys
from bot.errors import InvalidRequest
from bot.images import normalise_image_sync
data = open(sys.argv[1], "rb").read()
try:
    media = normalise_image_sync(data, max_side=2048, max_bytes=3_500_000)
    outcome = "ok %d" % len(media.data)
except InvalidRequest as exc:
    outcome = exc.key
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmHWM:"))
print(outcome, peak)
"""


def normalise_in_child(path: Path) -> tuple[str, int]:
    """Normalise the file in a fresh interpreter: (outcome, peak resident MB). Pillow
    allocates pixels in C, out of tracemalloc's sight, so the kernel's high-water mark of
    the child's own memory (VmHWM, which unlike ru_maxrss starts afresh at exec) is the
    measure."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    *outcome, peak = done.stdout.split()
    return " ".join(outcome), int(peak)


def test_a_huge_png_is_refused_from_its_header(tmp_path: Path) -> None:
    png = sparse_png(10_000, 7_900)  # 79 megapixels
    assert len(png) < 20 * 1024 * 1024
    path = tmp_path / "huge.png"
    path.write_bytes(png)
    outcome, peak_mb = normalise_in_child(path)
    assert outcome == "err_image_pixels"
    assert peak_mb < 150  # decoding it would take about a gigabyte


def test_a_big_jpeg_decodes_at_the_scale_sent(tmp_path: Path) -> None:
    path = tmp_path / "big.jpg"
    Image.new("RGB", (8_000, 6_000), "teal").save(path, "JPEG")  # 48 MP, a phone's photo
    outcome, peak_mb = normalise_in_child(path)
    assert outcome.startswith("ok ")
    assert peak_mb < 150  # 144 MB of pixels at full scale, a quarter of that at 1/2


def test_the_pixel_cap_needs_no_warning_filter_or_pillow_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another thread may reset the warning filters or Pillow's global limit at any time."""
    loads = spy_on_decoding(monkeypatch)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    png = sparse_png(7_000, 6_500)  # 45.5 MP
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(InvalidRequest) as refused:
            images.normalise_image_sync(png, max_side=2048, max_bytes=3_500_000)
    assert refused.value.key == "err_image_pixels"
    assert refused.value.params["max"] == "40"
    assert not loads


async def test_at_most_two_images_decode_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    lock = threading.Lock()
    running, most = 0, 0
    real = images.normalise_image_sync

    def watched(data: bytes, *, max_side: int, max_bytes: int) -> Media:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        try:
            time.sleep(0.05)
            return real(data, max_side=max_side, max_bytes=max_bytes)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(images, "normalise_image_sync", watched)
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(photo, "JPEG")
    done = await asyncio.gather(*(images.normalise_image(photo.getvalue()) for _ in range(8)))
    assert len(done) == 8
    assert most == images.DECODE_WORKERS == 2


def test_orientation_is_read_in_either_byte_order() -> None:
    for order, fmt in ((b"MM", ">"), (b"II", "<")):
        tiff = order + struct.pack(fmt + "HI", 42, 8) + struct.pack(fmt + "H", 1)
        tiff += struct.pack(fmt + "HHIH", 0x0112, 3, 1, 6) + b"\0\0" + b"\0" * 4  # next: none
        out = io.BytesIO()
        Image.new("RGB", (120, 80), "red").save(out, "JPEG", exif=b"Exif\x00\x00" + tiff)
        assert images.displayed_size(out.getvalue()) == (80, 120)
        frame = images.normalise_image_sync(out.getvalue(), max_side=2048, max_bytes=10**6)
        with Image.open(io.BytesIO(frame.data)) as image:
            assert image.size == (80, 120)
