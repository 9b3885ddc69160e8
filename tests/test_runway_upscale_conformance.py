"""Runway's video upscale, checked against material we did not write: the body the client
builds against the SDK's `VideoUpscaleCreateParams`, and the SDK's own client
(`video_upscale.create`, strict response validation) against our emulator, which accepts
exactly what those types accept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import runwayml
from runwayml.lib import polling

from bot.models import Media, Mode, VideoRequest
from bot.vendors.runway.upscale import UPSCALE_MODEL, upscale_body
from tests.emulators import runway_sdk_types as sdk
from tests.emulators.base import sample_mp4
from tests.emulators.runway import VERSION as RUNWAY_VERSION
from tests.emulators.runway import RunwayEmulator

KEY = "key_" + "5e" * 64
SOURCE = "https://dnznrvs05pmza.cloudfront.net/94a6/out.mp4?_jwt=eyJ"


def test_the_upscale_body_validates_against_the_sdk_types() -> None:
    body = upscale_body(VideoRequest(prompt="kept out", mode=Mode.UPSCALE, source_url=SOURCE))
    assert body == {"model": UPSCALE_MODEL, "videoUri": SOURCE}  # no prompt: none is typed
    assert sdk.issues("video_upscale", body) == []
    with pytest.raises(ValueError, match="source"):
        upscale_body(VideoRequest(prompt="", mode=Mode.UPSCALE))


@pytest.fixture
async def runway_emu() -> AsyncIterator[RunwayEmulator]:
    async with RunwayEmulator(KEY, run_seconds=0.2) as emu:
        assert isinstance(emu, RunwayEmulator)
        yield emu


async def post(emu: RunwayEmulator, body: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {KEY}", "X-Runway-Version": RUNWAY_VERSION}
    async with httpx.AsyncClient() as client:
        return await client.post(f"{emu.base_url}/v1/video_upscale", json=body, headers=headers)


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"model": UPSCALE_MODEL}, ["videoUri"]),  # required
        ({"model": UPSCALE_MODEL, "videoUri": SOURCE, "promptText": "x"}, ["promptText"]),
        ({"model": UPSCALE_MODEL, "videoUri": SOURCE, "resolution": "8k"}, ["resolution"]),
        ({"model": UPSCALE_MODEL, "videoUri": SOURCE, "creativity": "high"}, ["creativity"]),
        ({"model": "gen4.5", "videoUri": SOURCE}, ["model"]),
        ({"model": UPSCALE_MODEL, "videoUri": "ftp://x/v.mp4"}, ["videoUri"]),
    ],
)
async def test_the_emulator_refuses_what_the_sdk_types_refuse(
    runway_emu: RunwayEmulator, body: dict[str, Any], path: list[str]
) -> None:
    answer = await post(runway_emu, body)
    assert answer.status_code == 400
    refused = answer.json()
    assert refused["error"] == "Validation of body failed"
    assert path in [issue["path"] for issue in refused["issues"]]


@pytest.mark.parametrize(
    "body",
    [
        {"model": UPSCALE_MODEL, "videoUri": SOURCE},
        {
            "model": UPSCALE_MODEL,
            "videoUri": "data:video/mp4;base64,AAAA",
            "creativity": 40,
            "flavor": "natural",
            "fpsBoost": True,
            "resolution": "4k",
            "sharpen": 10,
            "smartGrain": 5,
        },
        {"model": "enhance_frame_rate", "videoUri": SOURCE, "targetFramerate": "60"},
    ],
)
async def test_the_emulator_accepts_what_the_sdk_types_accept(
    runway_emu: RunwayEmulator, body: dict[str, Any]
) -> None:
    assert sdk.issues("video_upscale", body) == []
    answer = await post(runway_emu, body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["estimatedCost"]["credits"] > 0


async def test_sdk_client_upscales_and_waits_for_the_output(
    runway_emu: RunwayEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(polling, "POLL_TIME", 0.05)
    monkeypatch.setattr(polling, "POLL_JITTER", 0.0)
    async with runwayml.AsyncRunwayML(
        api_key=KEY, base_url=runway_emu.base_url, max_retries=0, _strict_response_validation=True
    ) as client:
        video = Media(sample_mp4(), "video/mp4").data_uri()
        task = await client.video_upscale.create(
            model=UPSCALE_MODEL, video_uri=video, resolution="2k", flavor="vivid"
        )
        assert task.estimated_cost.credits > 0
        done = await task.wait_for_task_output(timeout=30)
        assert done.status == "SUCCEEDED"
        assert done.output == [f"{runway_emu.base_url}/files/{task.id}.mp4"]
