"""AimlapiClient against the aimlapi emulator, over real HTTP on 127.0.0.1."""

from __future__ import annotations

from typing import Any, TypeVar

import httpx
import pytest

from bot.errors import (
    AuthError,
    BadRequest,
    NotFound,
    OutOfCredits,
    RateLimited,
    Transient,
    UnknownOutcome,
    VendorError,
)
from bot.models import Media, Mode, TaskStatus, VideoRequest
from bot.vendors.aimlapi import AimlapiClient, parse_generation
from tests.emulators.aimlapi import LEGACY_PATH, AimlapiEmulator
from tests.emulators.base import Fault, sample_mp4
from tests.emulators.reseller import Clock
from tests.helpers import image_bytes

KEY = "aiml-s3cret-key-0001"
pytestmark = pytest.mark.emulator("aimlapi", key=KEY, clock=True, queue_seconds=1, run_seconds=2)
E = TypeVar("E", bound=VendorError)
CREDITS = (
    "You've run out of credits. Please top up your balance or update your payment method to "
    "continue: https://aimlapi.com/app/billing/"
)


def image(fmt: str = "PNG") -> Media:
    return Media(image_bytes(fmt=fmt), "image/png" if fmt == "PNG" else "image/jpeg")


def image_req(prompt: str = "a dragon over the peaks", **kw: Any) -> VideoRequest:
    return VideoRequest(prompt=prompt, mode=Mode.IMAGE, first_frame=image(), **kw)


def safe(exc: E) -> E:
    assert KEY not in str(exc) and KEY not in repr(exc)
    return exc


def last_body(emu: AimlapiEmulator) -> dict[str, Any]:
    entry = next(r for r in reversed(emu.log) if r["method"] == "POST")
    assert entry["path"] == LEGACY_PATH
    assert entry["headers"]["Authorization"] == f"Bearer {KEY}"
    body: dict[str, Any] = entry["json"]
    return body


def test_no_text_mode() -> None:
    caps = AimlapiClient.capabilities
    assert Mode.TEXT not in caps.modes()
    assert caps.pick(Mode.TEXT, None) is None


async def test_image_request_wire_body(emu: AimlapiEmulator, client: AimlapiClient) -> None:
    gen_id = await client.submit(image_req(seed=7, ratio="21:9"), idempotency_key="i")
    body = last_body(emu)
    assert body["model"] == "runway/gen4_turbo"
    assert body["prompt"] == "a dragon over the peaks"
    assert body["image_url"].startswith("data:image/png;base64,")
    assert (body["ratio"], body["duration"], body["seed"]) == ("21:9", 5, 7)
    assert "aspect_ratio" not in body and "tail_image_url" not in body
    assert gen_id in emu.tasks


async def test_first_last_on_gen3a(emu: AimlapiEmulator, client: AimlapiClient) -> None:
    req = VideoRequest(
        prompt="day turns to night",
        mode=Mode.FIRST_LAST,
        first_frame=image(),
        last_frame=image("JPEG"),
        duration=10,
        ratio="9:16",
    )
    await client.submit(req, idempotency_key="fl")
    body = last_body(emu)
    assert body["model"] == "gen3a_turbo"  # no runway/ prefix on this one
    # the seed path's name for the last frame; `tail_image_url` belongs to /v2/video/generations
    assert body["last_image_url"].startswith("data:image/jpeg;base64,")
    assert "tail_image_url" not in body
    assert (body["ratio"], body["duration"]) == ("9:16", 10)


async def test_seed_path_refuses_the_newer_last_frame_name(emu: AimlapiEmulator) -> None:
    """On the legacy path `tail_image_url` is an unknown key, which aimlapi's zod schema refuses."""
    body = {"model": "gen3a_turbo", "image_url": "https://e.x/a.png", "ratio": "16:9"}
    headers = {"Authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient() as http:
        refused = await http.post(
            f"{emu.base_url}{LEGACY_PATH}",
            json={**body, "tail_image_url": "https://e.x/b.png"},
            headers=headers,
        )
        accepted = await http.post(
            f"{emu.base_url}{LEGACY_PATH}",
            json={**body, "last_image_url": "https://e.x/b.png"},
            headers=headers,
        )
    assert refused.status_code == 400 and "'tail_image_url'" in refused.json()["message"]
    assert accepted.status_code == 200


async def test_video_to_video_on_aleph(emu: AimlapiEmulator, client: AimlapiClient) -> None:
    req = VideoRequest(
        prompt="make it snow",
        mode=Mode.VIDEO,
        video=Media(sample_mp4(), "video/mp4"),
        ratio="9:16",
    )
    await client.submit(req, idempotency_key="v")
    body = last_body(emu)
    assert body["model"] == "runway/gen4_aleph"
    assert body["video_url"].startswith("data:video/mp4;base64,")
    assert (body["frame_size"], body["duration"]) == ("720:1280", 5)


async def test_act_two(emu: AimlapiEmulator, client: AimlapiClient) -> None:
    req = VideoRequest(
        prompt="",
        mode=Mode.ACT,
        character=image(),
        video=Media(sample_mp4(), "video/mp4"),
        body_control=True,
    )
    await client.submit(req, idempotency_key="act")
    body = last_body(emu)
    assert body["model"] == "runway/act_two"
    assert body["character"]["type"] == "image"
    assert body["character"]["url"].startswith("data:image/png;base64,")
    assert body["reference"]["type"] == "video"
    assert body["body_control"] is True and body["frame_size"] == "1280:720"
    assert "prompt" not in body and "duration" not in body


@pytest.mark.parametrize("shape", ["legacy", "current"])
async def test_status_sequence_and_both_video_shapes(
    emu: AimlapiEmulator, client: AimlapiClient, clock: Clock, shape: str
) -> None:
    emu.video_shape = shape
    emu.queued_status = "waiting"
    gen_id = await client.submit(image_req(), idempotency_key="s")
    state = await client.poll(gen_id)
    assert (state.status, state.raw_status) == (TaskStatus.QUEUED, "waiting")
    clock.advance(2)
    state = await client.poll(gen_id)
    assert (state.status, state.raw_status, state.progress) == (
        TaskStatus.RUNNING,
        "generating",
        None,
    )
    clock.advance(2)
    state = await client.poll(gen_id)
    assert state.status is TaskStatus.SUCCEEDED and state.progress == 1.0
    assert state.video_url is not None
    assert state.video_url.startswith(f"{emu.base_url}/files/{gen_id}.mp4")
    assert (await client.http.get(state.video_url)).content == sample_mp4()
    poll = emu.log[-2]
    assert poll["method"] == "GET" and poll["query"] == {"generation_id": gen_id}


def test_parse_both_video_shapes_and_other_status_words() -> None:
    legacy = parse_generation({"id": "g", "status": "completed", "video": ["https://c/1.mp4"]})
    current = parse_generation({"id": "g", "status": "completed", "video": {"url": "https://c/2"}})
    assert legacy.video_urls == ["https://c/1.mp4"] and current.video_urls == ["https://c/2"]
    assert parse_generation({"status": "dreaming"}).status is TaskStatus.RUNNING
    assert parse_generation({"status": "active"}).status is TaskStatus.RUNNING
    assert parse_generation({"status": "failed"}).status is TaskStatus.FAILED
    assert parse_generation({"status": "brand-new"}).status is TaskStatus.RUNNING


@pytest.mark.parametrize("shape", ["legacy", "current"])
async def test_moderation_and_plain_failure(
    emu: AimlapiEmulator, client: AimlapiClient, clock: Clock, shape: str
) -> None:
    emu.video_shape = shape
    moderated = await client.submit(image_req("[moderate] x"), idempotency_key="m")
    broken = await client.submit(image_req("[fail] x"), idempotency_key="f")
    clock.advance(10)
    state = await client.poll(moderated)
    assert state.status is TaskStatus.FAILED and state.raw_status == "error" and state.moderated
    assert state.failure_code == "SAFETY.INPUT.TEXT"
    state = await client.poll(broken)
    assert state.status is TaskStatus.FAILED and not state.moderated
    assert state.failure == "Generation failed, please try again."


async def test_auth_failure(emu: AimlapiEmulator) -> None:
    wrong = AimlapiClient(api_key="aiml-wrong", base_url=emu.base_url)
    try:
        with pytest.raises(AuthError) as info:
            await wrong.submit(image_req(), idempotency_key="a")
        assert "valid API key" in str(info.value) and "aiml-wrong" not in str(info.value)
    finally:
        await wrong.aclose()


async def test_out_of_credits_is_a_403(emu: AimlapiEmulator, client: AimlapiClient) -> None:
    body = {"message": CREDITS, "path": LEGACY_PATH, "statusCode": "403"}
    emu.fail_next("create", Fault(403, body))
    with pytest.raises(OutOfCredits) as info:
        await client.submit(image_req(), idempotency_key="c")
    assert safe(info.value).status == 403
    emu.fail_next("create", Fault(403, {"message": "Forbidden", "statusCode": "403"}))
    with pytest.raises(AuthError):
        await client.submit(image_req(), idempotency_key="c")


async def test_rate_limited_with_retry_after_then_success(
    emu: AimlapiEmulator, client: AimlapiClient
) -> None:
    body = {"message": "Too Many Requests", "statusCode": "429"}
    emu.fail_next("create", Fault(429, body, {"Retry-After": "7"}))
    with pytest.raises(RateLimited) as info:
        await client.submit(image_req(), idempotency_key="r")
    assert safe(info.value).retry_after == 7.0
    gen_id = await client.submit(image_req(), idempotency_key="r")
    assert list(emu.tasks) == [gen_id]


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_then_success(
    emu: AimlapiEmulator, client: AimlapiClient, status: int
) -> None:
    body = {"message": "Internal server error", "statusCode": str(status)}
    emu.fail_next("create", Fault(status, body))
    with pytest.raises(Transient) as info:
        await client.submit(image_req(), idempotency_key="s")
    assert not isinstance(safe(info.value), UnknownOutcome)
    gen_id = await client.submit(image_req(), idempotency_key="s")
    emu.fail_next("poll", Fault(status, body))
    with pytest.raises(Transient):
        await client.poll(gen_id)
    assert (await client.poll(gen_id)).status is TaskStatus.QUEUED


async def test_gateway_timeout_on_create_is_unknown_outcome(
    emu: AimlapiEmulator, client: AimlapiClient
) -> None:
    emu.fail_next("create", Fault(504, {"message": "Generation timeout"}, process=True))
    with pytest.raises(UnknownOutcome):
        await client.submit(image_req(), idempotency_key="g")
    assert len(emu.tasks) == 1


async def test_dropped_create_is_unknown_outcome(
    emu: AimlapiEmulator, client: AimlapiClient
) -> None:
    emu.fail_next("create", Fault(drop=True, process=True))
    with pytest.raises(UnknownOutcome) as info:
        await client.submit(image_req(), idempotency_key="d")
    safe(info.value)
    assert len(emu.tasks) == 1  # it was created: the engine must not resubmit blindly


async def test_malformed_poll_body_is_transient(
    emu: AimlapiEmulator, client: AimlapiClient
) -> None:
    gen_id = await client.submit(image_req(), idempotency_key="x")
    emu.fail_next("poll", Fault(200, "<html>oops"))
    with pytest.raises(Transient):
        await client.poll(gen_id)


async def test_validation_error_envelope(emu: AimlapiEmulator, client: AimlapiClient) -> None:
    req = image_req(model="gen3a_turbo", ratio="1:1")  # gen3a has no square
    with pytest.raises(BadRequest) as info:
        await client.submit(req, idempotency_key="v")
    assert "Body validation error!" in str(info.value) and "ratio" in str(info.value)
    answer = await client.http.post(
        f"{emu.base_url}{LEGACY_PATH}",
        json={"model": "runway/gen4_turbo"},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    envelope = answer.json()
    assert answer.status_code == 400
    assert set(envelope) == {"message", "path", "requestId", "statusCode", "timestamp"}
    assert "image_url: Required" in envelope["message"]


async def test_unknown_generation_is_not_found(client: AimlapiClient) -> None:
    with pytest.raises(NotFound):
        await client.poll("a12b3456-7c89-0de1-23f4-g567d584f98d")


async def test_current_universal_path_is_served(
    emu: AimlapiEmulator, client: AimlapiClient
) -> None:
    headers = {"Authorization": f"Bearer {KEY}"}
    body = client.build_body(image_req())
    answer = await client.http.post(
        f"{emu.base_url}/v2/video/generations", json=body, headers=headers
    )
    assert answer.status_code == 200 and answer.json()["status"] == "queued"
