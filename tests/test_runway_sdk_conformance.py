"""The official Runway client and our Runway emulator, checked against Runway's own SDK.

Material we did not write: the request and response types of `runwayml` (pinned in the dev
dependencies, generated from Runway's OpenAPI spec) and the SDK's own HTTP client.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import runwayml
from PIL import Image
from runwayml.lib import polling

from bot.models import Media, Mode
from tests.emulators import runway_sdk_types as sdk
from tests.emulators.base import sample_mp4
from tests.emulators.runway import RunwayEmulator

KEY = "key_" + "7c" * 64
ENDPOINT = {
    Mode.TEXT: "text_to_video",
    Mode.IMAGE: "image_to_video",
    Mode.FIRST_LAST: "image_to_video",
    Mode.VIDEO: "video_to_video",
    Mode.ACT: "character_performance",
}


def png(color: str = "red") -> Media:
    out = io.BytesIO()
    Image.new("RGB", (32, 18), color).save(out, "PNG")
    return Media(out.getvalue(), "image/png", "a.png")


def mp4() -> Media:
    return Media(sample_mp4(), "video/mp4", "v.mp4")


# the SDK's own client against our emulator


@pytest.fixture
async def runway_emu() -> AsyncIterator[RunwayEmulator]:
    async with RunwayEmulator(KEY, run_seconds=0.2) as emu:
        assert isinstance(emu, RunwayEmulator)
        yield emu


@pytest.fixture
async def sdk_client(
    runway_emu: RunwayEmulator, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[runwayml.AsyncRunwayML]:
    # The SDK sleeps 6 s (± 1.5) between polls; its module constants are the only knob.
    monkeypatch.setattr(polling, "POLL_TIME", 0.05)
    monkeypatch.setattr(polling, "POLL_JITTER", 0.0)
    client = runwayml.AsyncRunwayML(
        api_key=KEY,
        base_url=runway_emu.base_url,
        max_retries=0,
        _strict_response_validation=True,
    )
    async with client:
        yield client


async def test_sdk_client_create_retrieve_wait_delete(
    sdk_client: runwayml.AsyncRunwayML, runway_emu: RunwayEmulator
) -> None:
    image = png().data_uri()
    created = [
        await sdk_client.image_to_video.create(
            model="gen4.5", prompt_image=image, prompt_text="dolly in", ratio="1280:720", duration=5
        ),
        await sdk_client.image_to_video.create(
            model="veo3.1_fast",
            prompt_image=[{"uri": image, "position": "first"}, {"uri": image, "position": "last"}],
            ratio="720:1280",
            duration=6,
        ),
        await sdk_client.text_to_video.create(
            model="veo3.1", prompt_text="a lighthouse", ratio="1280:720", duration=8
        ),
        await sdk_client.video_to_video.create(
            model="aleph2", video_uri=mp4().data_uri(), prompt_text="make it rain"
        ),
        await sdk_client.character_performance.create(
            model="act_two",
            character={"type": "image", "uri": image},
            reference={"type": "video", "uri": mp4().data_uri()},
        ),
    ]
    for task in created:
        assert task.estimated_cost.credits > 0
        first = await sdk_client.tasks.retrieve(task.id)
        assert first.id == task.id
        done = await task.wait_for_task_output(timeout=30)
        assert done.status == "SUCCEEDED"
        assert done.output == [f"{runway_emu.base_url}/files/{task.id}.mp4"]
    await sdk_client.tasks.delete(created[0].id)
    with pytest.raises(runwayml.NotFoundError):
        await sdk_client.tasks.retrieve(created[0].id)


async def test_sdk_client_sees_running_and_cancelled_tasks_typed(
    sdk_client: runwayml.AsyncRunwayML, runway_emu: RunwayEmulator
) -> None:
    runway_emu.run_seconds = 60
    task = await sdk_client.text_to_video.create(
        model="gen4.5", prompt_text="slow", ratio="720:1280", duration=7
    )
    running = await sdk_client.tasks.retrieve(task.id)
    assert running.status in ("PENDING", "RUNNING")
    runway_emu.cancel_keeps_task = True
    await sdk_client.tasks.delete(task.id)
    cancelled = await sdk_client.tasks.retrieve(task.id)
    assert cancelled.status == "CANCELLED"


async def test_sdk_upload_then_use_the_runway_uri(
    sdk_client: runwayml.AsyncRunwayML, runway_emu: RunwayEmulator
) -> None:
    video = mp4()
    uploaded = await sdk_client.uploads.create_ephemeral(file=("clip.mp4", video.data, video.mime))
    assert uploaded.uri.startswith("runway://")
    assert runway_emu.uploads[uploaded.uri] == video.data
    task = await sdk_client.video_to_video.create(
        model="aleph2", video_uri=uploaded.uri, prompt_text="snow"
    )
    assert (await task.wait_for_task_output(timeout=30)).status == "SUCCEEDED"


# the emulator follows the same types


def _image_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": "veo3.1_fast",
        "promptImage": png().data_uri(),
        "promptText": "dolly in",
        "ratio": "1280:720",
        "duration": 6,
    }
    body.update(over)
    return {k: v for k, v in body.items() if v is not None}


REFUSED = [
    pytest.param(_image_body(model="gen3a_turbo"), ["model"], id="retired-model"),
    pytest.param(_image_body(model="gen4_aleph"), ["model"], id="unknown-model"),
    pytest.param(_image_body(ratio="960:960"), ["ratio"], id="ratio-the-model-lacks"),
    pytest.param(_image_body(duration=5), ["duration"], id="duration-the-model-lacks"),
    pytest.param(_image_body(watermark=False), ["watermark"], id="watermark-unknown"),
    pytest.param(_image_body(ratio=None), ["ratio"], id="ratio-missing"),
    pytest.param(_image_body(promptImage=None), ["promptImage"], id="image-missing"),
    pytest.param(
        _image_body(model="gen4.5", duration=5, promptText=None), ["promptText"], id="gen45-prompt"
    ),
    pytest.param(_image_body(duration="6"), ["duration"], id="duration-as-string"),
]


async def post(emu: RunwayEmulator, endpoint: str, body: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {KEY}", "X-Runway-Version": "2024-11-06"}
    async with httpx.AsyncClient() as http:
        return await http.post(f"{emu.base_url}/v1/{endpoint}", json=body, headers=headers)


@pytest.mark.parametrize(("body", "path"), REFUSED)
async def test_emulator_refuses_what_the_sdk_types_refuse(
    runway_emu: RunwayEmulator, body: dict[str, Any], path: list[str]
) -> None:
    assert sdk.issues("image_to_video", body) != []
    answer = await post(runway_emu, "image_to_video", body)
    assert answer.status_code == 400
    data = answer.json()
    assert data["error"] == "Validation of body failed"
    assert data["docUrl"].startswith("https://docs.dev.runwayml.com")
    assert [i["path"] for i in data["issues"]] == [path], data
    assert set(data["issues"][0]) == {"code", "message", "path"}
    assert runway_emu.tasks == {}


ACCEPTED = [
    pytest.param("image_to_video", _image_body(), id="veo-first-frame"),
    pytest.param("image_to_video", _image_body(ratio="1080:1920", audio=True), id="veo-audio"),
    pytest.param(
        "text_to_video",
        {"model": "kling2.5_turbo_pro", "promptText": "a fox", "ratio": "1280:720", "duration": 10},
        id="third-party-text",
    ),
    pytest.param(
        "video_to_video",
        {"model": "aleph2", "videoUri": mp4().data_uri(), "ratio": "1280:720"},
        id="aleph2-without-prompt",
    ),
]


@pytest.mark.parametrize(("endpoint", "body"), ACCEPTED)
async def test_emulator_accepts_what_the_sdk_types_accept(
    runway_emu: RunwayEmulator, endpoint: str, body: dict[str, Any]
) -> None:
    assert sdk.issues(endpoint, body) == []
    answer = await post(runway_emu, endpoint, body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["id"] in runway_emu.tasks


async def test_sdk_client_gets_runways_400_for_a_refused_body(
    sdk_client: runwayml.AsyncRunwayML,
) -> None:
    with pytest.raises(runwayml.BadRequestError) as info:
        await sdk_client.image_to_video.create(
            model="veo3.1",
            prompt_image=png().data_uri(),
            ratio="1280:720",
            duration=5,  # type: ignore[arg-type]  # Veo takes 4, 6 or 8
        )
    body = info.value.body
    assert isinstance(body, dict) and body["error"] == "Validation of body failed"
