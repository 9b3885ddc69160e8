"""Bad input is refused with a clear message before any credit moves or any vendor call."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.bootstrap import Core
from bot.commands import read
from bot.models import Media, UserRef
from bot.service import Incoming
from bot.vendors.runway import GptgeClient
from tests.emulators.runway import RunwayEmulator
from tests.helpers import image_bytes, make_core, task_calls

USER = UserRef("test", "1")


def noise_png(size: tuple[int, int]) -> bytes:
    import os

    out = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(out, "PNG")
    return out.getvalue()


REFUSALS = [
    ("/video --ratio 5:4 a fox", [], "can't make 5:4 videos"),
    ("/video --ratio banana a fox", [], "don't know the ratio"),
    ("/video --duration 11 a fox", [], "Gen-4.5 takes 2–10 seconds"),
    ("/video --duration ten a fox", [], "“ten” isn't a number of seconds"),
    ("/video --model veo3.1_fast --duration 5 a fox", [], "Veo 3.1 Fast takes 4, 6 or 8 seconds"),
    ("/video --model hailuo3 --seed 5 a fox", [], "Hailuo 3 takes no seed"),
    ("/video --seed -3 a fox", [], "seed must be a whole number"),
    ("/video --seed 99999999999 a fox", [], "seed must be a whole number"),
    ("/video --colour red a fox", [], "don't know the option"),
    ("/video --duration", [], "needs a value"),
    ("/video", [], "Tell me what to make"),
    ("/video --model sora a fox", [], "offers the model “sora”"),
    ("/video " + "x" * 1001, [], "too long (1001 characters)"),
    ("/video " + "😀" * 501, [], "too long (1002 characters)"),
    ("/video animate", [Media(b"this is not an image", "image/jpeg")], "isn't an image"),
    ("/video animate", [Media(image_bytes((1000, 300)), "image/jpeg")], "too narrow or too wide"),
    ("/video animate", [Media(b"\xff" * (21 * 1024 * 1024), "image/jpeg")], "too large"),
    ("/video animate", [Media(image_bytes(), "image/jpeg")] * 3, "at most two images"),
    ("/act --body", [], "For /act"),
]


@pytest.mark.parametrize(("text", "images", "expected"), REFUSALS)
async def test_refused_before_any_credit_or_vendor_call(
    core: Core, emu: RunwayEmulator, text: str, images: list[Media], expected: str
) -> None:
    await core.start()
    reply = await core.service.handle(Incoming(user=USER, command=read(text), images=images))
    assert reply.error and reply.job is None
    assert expected in reply.text, reply.text
    assert await core.store.ledger() == []
    assert task_calls(emu) == []


async def test_video_that_is_not_a_video(core: Core, emu: RunwayEmulator) -> None:
    reply = await core.service.handle(
        Incoming(user=USER, command=read("/video restyle"), video=Media(b"nope" * 100, "video/mp4"))
    )
    assert reply.error and "isn't a video" in reply.text
    assert task_calls(emu) == []


async def test_unsupported_mode_names_what_is_possible(tmp_path, emu: RunwayEmulator) -> None:  # type: ignore[no-untyped-def]
    client = GptgeClient(api_key="test-key", base_url=emu.base_url)
    core = await make_core(tmp_path, vendors=[client], video_vendors=["gptge"])
    try:
        reply = await core.service.handle(
            Incoming(user=USER, command=read("/video text only please"))
        )
        assert reply.error
        assert "can do text-to-video" in reply.text and "photo animation" in reply.text
        zh = await core.service.handle(
            Incoming(user=USER, command=read("/video 文字"), locale="zh-CN")
        )
        assert "文字生成视频" in zh.text
    finally:
        await core.aclose()


async def test_large_photo_is_downscaled_and_rotated(core: Core, emu: RunwayEmulator) -> None:
    await core.start()
    big = noise_png((3000, 2000))
    reply = await core.service.handle(
        Incoming(user=USER, command=read("/video move"), images=[Media(big, "image/png")])
    )
    assert reply.job is not None, reply.text
    media = await core.store.media(reply.job.id)
    frame = media["first_frame"]
    assert frame.mime == "image/jpeg" and len(frame.data) <= 3_500_000
    with Image.open(io.BytesIO(frame.data)) as image:
        assert image.size == (2048, 1365)


async def test_exif_rotation_is_applied(core: Core) -> None:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    Image.new("RGB", (120, 80), "red").save(out, "JPEG", exif=exif.tobytes())
    reply = await core.service.handle(
        Incoming(
            user=USER, command=read("/video spin"), images=[Media(out.getvalue(), "image/jpeg")]
        )
    )
    assert reply.job is not None, reply.text
    assert reply.job.request.ratio == "3:4"  # portrait once rotated
    frame = (await core.store.media(reply.job.id))["first_frame"]
    with Image.open(io.BytesIO(frame.data)) as image:
        assert image.size == (80, 120)
