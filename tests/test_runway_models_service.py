"""Runway's models as a user reaches them: /video through the service, the official client and
the Runway emulator, on a real SQLite file; and media above the data-URI limit uploaded."""

from __future__ import annotations

from typing import Any

import pytest

from bot.bootstrap import Core
from bot.commands import read
from bot.errors import Transient
from bot.models import Media, Mode, TaskStatus, UserRef, VideoRequest
from bot.service import Incoming
from bot.vendors.runway import RunwayClient, RunwayValidationError
from bot.vendors.runway.uploads import DATA_URI_MAX, data_uri_length
from tests.emulators.base import Fault, sample_mp4
from tests.emulators.runway import RunwayEmulator
from tests.helpers import image_bytes, task_calls, wait_until

USER = UserRef("test", "1")


def creates(emu: RunwayEmulator) -> list[dict[str, Any]]:
    return [e for e in emu.log if e["method"] == "POST" and "json" in e and "model" in e["json"]]


async def ask(core: Core, text: str, images: list[Media] | None = None) -> Any:
    await core.start()
    return await core.service.handle(Incoming(user=USER, command=read(text), images=images or []))


async def test_veo_fast_with_two_images_does_first_and_last_frame(
    core: Core, emu: RunwayEmulator
) -> None:
    frames = [
        Media(image_bytes((640, 360), color="red"), "image/jpeg"),
        Media(image_bytes((640, 360), color="blue"), "image/jpeg"),
    ]
    reply = await ask(core, "/video --model veo3.1_fast --duration 6 morph", frames)
    assert reply.job is not None, reply.text
    await wait_until(lambda: bool(creates(emu)))
    entry = creates(emu)[0]
    assert entry["path"] == "/v1/image_to_video"
    body = entry["json"]
    assert body["model"] == "veo3.1_fast" and body["duration"] == 6
    assert body["ratio"] == "1280:720"
    assert [i["position"] for i in body["promptImage"]] == ["first", "last"]
    assert "watermark" not in body


async def test_two_images_default_to_veo_fast(core: Core, emu: RunwayEmulator) -> None:
    frames = [Media(image_bytes((64, 36)), "image/jpeg")] * 2
    reply = await ask(core, "/video morph", frames)
    assert reply.job is not None, reply.text
    await wait_until(lambda: bool(creates(emu)))
    assert creates(emu)[0]["json"]["model"] == "veo3.1_fast"


@pytest.mark.parametrize(
    ("text", "model", "seconds"),
    [
        ("/video --model veo3.1 --duration 6 a lighthouse", "veo3.1", 6),
        ("/video --duration 7 a lighthouse", "gen4.5", 7),
        ("/video --model gen4.5 --duration 7 a lighthouse", "gen4.5", 7),
    ],
)
async def test_durations_each_model_takes_are_accepted(
    core: Core, emu: RunwayEmulator, text: str, model: str, seconds: int
) -> None:
    reply = await ask(core, text)
    assert reply.job is not None and not reply.error, reply.text
    await wait_until(lambda: bool(creates(emu)))
    body = creates(emu)[0]["json"]
    assert (body["model"], body["duration"]) == (model, seconds)


async def test_five_second_veo_is_refused_with_the_allowed_values_before_any_credit(
    core: Core, emu: RunwayEmulator
) -> None:
    reply = await ask(core, "/video --model veo3.1_fast --duration 5 a lighthouse")
    assert reply.error and reply.job is None
    assert "Veo 3.1 Fast takes 4, 6 or 8 seconds" in reply.text, reply.text
    assert await core.store.ledger() == []
    assert task_calls(emu) == []


async def test_square_text_on_gen45_is_refused_with_its_ratios(
    core: Core, emu: RunwayEmulator
) -> None:
    reply = await ask(core, "/video --ratio 1:1 a lighthouse")
    assert reply.error and reply.job is None
    assert "16:9" in reply.text and "9:16" in reply.text, reply.text
    assert await core.store.ledger() == []
    assert task_calls(emu) == []


async def test_square_photo_goes_to_gen45_at_its_square_ratio(
    core: Core, emu: RunwayEmulator
) -> None:
    reply = await ask(core, "/video --ratio 1:1 spin", [Media(image_bytes((64, 64)), "image/jpeg")])
    assert reply.job is not None, reply.text
    await wait_until(lambda: bool(creates(emu)))
    body = creates(emu)[0]["json"]
    assert (body["model"], body["ratio"]) == ("gen4.5", "960:960")


# uploads


async def test_a_6mb_video_goes_through_runways_upload_endpoint(emu: RunwayEmulator) -> None:
    big = Media(sample_mp4() + bytes(6 * 1024 * 1024), "video/mp4", "clip.mp4")
    assert data_uri_length(big) > DATA_URI_MAX
    client = RunwayClient(api_key=emu.api_key, base_url=emu.base_url)
    try:
        req = VideoRequest(prompt="make it snow", mode=Mode.VIDEO, video=big)
        task_id = await client.submit(req, idempotency_key="k1")
        body = creates(emu)[-1]["json"]
        assert body["videoUri"].startswith("runway://")
        assert emu.uploads[body["videoUri"]] == big.data
        # a neutral name with the type's extension; the user's filename stays here
        assert emu.upload_requests == [{"filename": "upload.mp4", "type": "ephemeral"}]
        # the presigned storage URL gets the file, never the API key
        stored = [e for e in emu.log if e["path"].startswith("/_storage/")]
        assert len(stored) == 1 and "Authorization" not in stored[0]["headers"]
        await wait_until(lambda: emu.tasks[task_id].phase(emu.clock())[0] == "succeeded")
        assert (await client.poll(task_id)).status is TaskStatus.SUCCEEDED
    finally:
        await client.aclose()


async def test_media_under_the_limit_stay_inline(emu: RunwayEmulator) -> None:
    client = RunwayClient(api_key=emu.api_key, base_url=emu.base_url)
    try:
        video = Media(sample_mp4(), "video/mp4", "v.mp4")
        await client.submit(
            VideoRequest(prompt="rain", mode=Mode.VIDEO, video=video), idempotency_key="k1"
        )
        assert creates(emu)[-1]["json"]["videoUri"] == video.data_uri()
        assert emu.uploads == {} and emu.upload_requests == []
    finally:
        await client.aclose()


async def test_oversize_data_uri_is_refused_by_the_emulator(emu: RunwayEmulator) -> None:
    """What the client must avoid: Runway refuses a data URI above 5 MB."""
    client = RunwayClient(api_key=emu.api_key, base_url=emu.base_url)
    client.upload_above = None  # this one client sends everything inline
    try:
        big = Media(bytes(6 * 1024 * 1024), "video/mp4", "clip.mp4")
        with pytest.raises(RunwayValidationError, match="Data URI too large"):
            await client.submit(
                VideoRequest(prompt="rain", mode=Mode.VIDEO, video=big), idempotency_key="k1"
            )
    finally:
        await client.aclose()


async def test_a_refused_storage_upload_is_transient_and_creates_nothing(
    emu: RunwayEmulator,
) -> None:
    """The storage URL's 403 says nothing about our API key: no AuthError, no task, and the
    engine may try again (a failed submit refunds the reservation)."""
    emu.fail_next("upload", Fault(403, "<Error><Code>AccessDenied</Code></Error>"))
    client = RunwayClient(api_key=emu.api_key, base_url=emu.base_url)
    try:
        big = Media(bytes(6 * 1024 * 1024), "video/mp4", "clip.mp4")
        with pytest.raises(Transient):
            await client.submit(
                VideoRequest(prompt="rain", mode=Mode.VIDEO, video=big), idempotency_key="k1"
            )
        assert creates(emu) == [] and emu.tasks == {}
    finally:
        await client.aclose()


# every model of the catalogue, reached by its API or friendly name


async def test_friendly_names_reach_the_model_in_any_spelling(
    core: Core, emu: RunwayEmulator
) -> None:
    reply = await ask(core, "/video --model VEO-3.1-Fast --duration 6 a lighthouse")
    assert reply.job is not None, reply.text
    assert reply.job.request.model == "veo3.1_fast"
    await wait_until(lambda: bool(creates(emu)))
    body = creates(emu)[0]["json"]
    assert (body["model"], body["duration"]) == ("veo3.1_fast", 6)


async def test_a_third_party_model_gets_its_own_ratio_and_a_seed_where_it_has_one(
    core: Core, emu: RunwayEmulator
) -> None:
    reply = await ask(core, "/video --model seedance2_fast --ratio 21:9 a fox")
    assert reply.job is not None, reply.text
    await wait_until(lambda: bool(creates(emu)))
    body = creates(emu)[0]["json"]
    assert (body["model"], body["ratio"], body["duration"]) == ("seedance2_fast", "1470:630", 5)
    assert body["seed"] == reply.job.request.seed


async def test_a_model_without_a_seed_sends_none_and_refuses_one_before_any_credit(
    core: Core, emu: RunwayEmulator
) -> None:
    refused = await ask(core, "/video --model kling2.5_turbo_pro --seed 7 a fox")
    assert refused.error and "Kling 2.5 Turbo Pro takes no seed" in refused.text
    assert await core.store.ledger() == [] and task_calls(emu) == []
    reply = await ask(core, "/video --model Kling2.5TurboPro --duration 10 a fox")
    assert reply.job is not None and reply.job.request.seed is None, reply.text
    await wait_until(lambda: bool(creates(emu)))
    body = creates(emu)[0]["json"]
    assert body == {
        "model": "kling2.5_turbo_pro",
        "promptText": "a fox",
        "ratio": "1280:720",
        "duration": 10,
    }


async def test_kling_o3_edits_a_video_through_prompt_video(core: Core, emu: RunwayEmulator) -> None:
    await core.start()
    video = Media(sample_mp4(), "video/mp4", "v.mp4")
    reply = await core.service.handle(
        Incoming(user=USER, command=read("/video --model klingO3_pro make it snow"), video=video)
    )
    assert reply.job is not None, reply.text
    await wait_until(lambda: bool(creates(emu)))
    body = creates(emu)[0]["json"]
    assert body["model"] == "klingO3_pro" and body["promptVideo"] == video.data_uri()
    assert "duration" not in body and "ratio" not in body and "videoUri" not in body


async def test_the_duration_refusal_speaks_chinese_too(core: Core, emu: RunwayEmulator) -> None:
    await core.start()
    cmd = read("/video --model veo3.1_fast --duration 5 灯塔")
    reply = await core.service.handle(Incoming(user=USER, command=cmd, locale="zh"))
    assert reply.error and "Veo 3.1 Fast 支持的时长为 4、6 或 8 秒" in reply.text, reply.text


async def test_help_lists_the_configured_vendors_models_with_their_durations(
    core: Core, emu: RunwayEmulator
) -> None:
    reply = await ask(core, "/help")
    assert "🎞 Models at runway:" in reply.text
    assert "• Veo 3.1 Fast (veo3.1_fast): text, photo, first+last · 4, 6 or 8 s" in reply.text
    assert "• Gen-4.5 (gen4.5): text, photo · 2–10 s" in reply.text
    assert "• Aleph 2 (aleph2): video · input's length" in reply.text
    assert "apiframe" not in reply.text  # not configured here
    assert len(reply.text) < 4096  # one Telegram message
