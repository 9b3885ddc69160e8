"""The Runway-family clients against their emulators, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import io
import itertools
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web
from PIL import Image

from bot.errors import (
    AuthError,
    BadRequest,
    DailyLimit,
    NotFound,
    OutOfCredits,
    RateLimited,
    Transient,
    UnknownOutcome,
)
from bot.models import Media, Mode, TaskState, TaskStatus, VideoRequest
from bot.vendors.runway import (
    GEN3_PIXELS,
    GEN4_PIXELS,
    GptgeClient,
    OpenAIHKClient,
    RunwayClient,
    RunwayFamilyClient,
    RunwayValidationError,
)
from bot.vendors.runway.models import GEN3A, GEN4_TURBO, runway_capabilities
from bot.vendors.runway.wire import pixels
from tests.emulators.base import Fault, sample_mp4
from tests.emulators.runway import (
    CREDITS_BODY,
    DAILY_LIMIT_BODY,
    OPENAI_CREDITS_BODY,
    RunwayEmulator,
)

KEY = "key_" + "5e" * 64
FLAVOURS = ["runway", "gptge", "openai-hk"]
CLIENTS: dict[str, type[RunwayFamilyClient]] = {
    "runway": RunwayClient,
    "gptge": GptgeClient,
    "openai-hk": OpenAIHKClient,
}
PREFIX = {"runway": "/v1", "gptge": "/runwayml/v1", "openai-hk": "/runwayml/v1"}


def image(fmt: str = "PNG", size: tuple[int, int] = (64, 36), color: str = "red") -> Media:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format=fmt)
    mime = "image/png" if fmt == "PNG" else "image/jpeg"
    return Media(buf.getvalue(), mime, f"a.{fmt.lower()}")


def video() -> Media:
    return Media(sample_mp4(), "video/mp4", "v.mp4")


def image_request(prompt: str = "slow dolly in", **kw: Any) -> VideoRequest:
    return VideoRequest(prompt=prompt, mode=Mode.IMAGE, first_frame=image(), **kw)


class Pair:
    """An emulator and the matching client, for one test."""

    def __init__(self, emu: RunwayEmulator, client: RunwayFamilyClient) -> None:
        self.emu = emu
        self.client = client
        self.flavour = emu.flavour
        self.prefix = PREFIX[emu.flavour]

    def creates(self) -> list[dict[str, Any]]:
        return [r for r in self.emu.log if r["method"] == "POST"]

    def last_body(self) -> dict[str, Any]:
        body: dict[str, Any] = self.creates()[-1]["json"]
        return body

    async def wait(self, task_id: str, limit: float = 5.0) -> list[TaskState]:
        """Poll until terminal; every state seen, in order."""
        states: list[TaskState] = []
        loop = asyncio.get_running_loop()
        end = loop.time() + limit
        while loop.time() < end:
            state = await self.client.poll(task_id)
            states.append(state)
            if state.status.terminal:
                return states
            await asyncio.sleep(0.02)
        raise AssertionError(f"task not terminal: {states[-1:]}")


async def make_pair(flavour: str, key: str = KEY, **emu_kw: Any) -> Pair:
    emu = RunwayEmulator(key, flavour=flavour, **emu_kw)
    await emu.start()
    return Pair(emu, CLIENTS[flavour](api_key=KEY, base_url=emu.base_url))


@pytest.fixture
async def pairs() -> AsyncIterator[list[Pair]]:
    """Tests that need non-default emulator options append their own pairs here."""
    made: list[Pair] = []
    yield made
    for pair in made:
        await pair.client.aclose()
        await pair.emu.stop()


@pytest.fixture(params=FLAVOURS)
async def pair(request: pytest.FixtureRequest, pairs: list[Pair]) -> Pair:
    made = await make_pair(request.param)
    pairs.append(made)
    return made


@pytest.fixture(params=FLAVOURS)
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def new_pair(pairs: list[Pair], flavour: str, **emu_kw: Any) -> Pair:
    made = await make_pair(flavour, **emu_kw)
    pairs.append(made)
    return made


def assert_safe(exc: BaseException) -> None:
    assert KEY not in str(exc)
    assert KEY not in repr(exc)
    assert all(KEY not in str(a) for a in exc.args)


def first_image(body: dict[str, Any]) -> str:
    """The first frame's URI: Runway's bare string, or openai-hk's documented array."""
    image = body["promptImage"]
    if isinstance(image, list):
        assert image[0]["position"] == "first" and len(image) == 1
        return str(image[0]["uri"])
    return str(image)


def decode(uri: str) -> tuple[str, bytes]:
    head, _, payload = uri.partition(",")
    assert head.startswith("data:") and head.endswith(";base64")
    return head[5:-7], base64.b64decode(payload)


# capabilities


def test_capabilities_are_consistent() -> None:
    for cls in CLIENTS.values():
        caps = cls.capabilities
        for mode, name in caps.defaults.items():
            spec = caps.model(name, mode)
            assert spec is not None and mode in spec.modes, (cls.id, mode, name)
        for spec in caps.models:
            for ratio, mode in itertools.product(spec.ratios, spec.modes):
                # every aspect a model offers has its `ratio` value ("": none is sent)
                assert pixels(spec.name, ratio, mode) is not None, (cls.id, spec.name)
            assert spec.seed_min == 0 and spec.seed_max == 4294967295
    assert Mode.TEXT in RunwayClient.capabilities.modes()
    assert Mode.TEXT not in OpenAIHKClient.capabilities.modes()
    assert GptgeClient.capabilities.modes() == {Mode.IMAGE, Mode.FIRST_LAST}
    assert OpenAIHKClient.capabilities.modes() == {
        Mode.IMAGE,
        Mode.FIRST_LAST,
        Mode.VIDEO,
        Mode.ACT,
    }
    assert all(s.prompt_max == 512 for s in GptgeClient.capabilities.models)
    assert RunwayClient.capabilities.pick(Mode.TEXT, None).name == "gen4.5"  # type: ignore[union-attr]
    assert RunwayClient.capabilities.pick(Mode.FIRST_LAST, "gen4_turbo") is None
    assert RunwayClient.supports_cancel
    assert not GptgeClient.supports_cancel and not OpenAIHKClient.supports_cancel
    assert RunwayClient.default_base_url == "https://api.dev.runwayml.com"


# happy paths and wire bodies


async def test_text_to_video_runway(pairs: list[Pair]) -> None:
    p = await new_pair(pairs, "runway")
    req = VideoRequest(prompt="a fox in the snow", mode=Mode.TEXT, ratio="9:16", duration=10)
    task_id = await p.client.submit(req, idempotency_key="k1")
    entry = p.creates()[-1]
    assert entry["path"] == "/v1/text_to_video"
    assert entry["json"] == {
        "model": "gen4.5",
        "promptText": "a fox in the snow",
        "ratio": "720:1280",
        "duration": 10,
    }
    states = await p.wait(task_id)
    assert states[-1].status is TaskStatus.SUCCEEDED
    assert states[-1].video_url == f"{p.emu.base_url}/files/{task_id}.mp4"


@pytest.mark.parametrize("flavour", ["runway", "openai-hk"])  # gpt.ge: its own test file
async def test_image_to_video_wire_and_success(pairs: list[Pair], flavour: str) -> None:
    pair = await new_pair(pairs, flavour)
    png = image()
    req = VideoRequest(prompt="slow dolly in", mode=Mode.IMAGE, first_frame=png, ratio="1:1")
    task_id = await pair.client.submit(req, idempotency_key="k1")
    entry = pair.creates()[-1]
    assert entry["path"] == f"{pair.prefix}/image_to_video"
    assert entry["headers"]["Authorization"] == f"Bearer {KEY}"
    assert entry["headers"]["X-Runway-Version"] == "2024-11-06"
    body = entry["json"]
    # Runway's first-frame default is gen4.5; the resellers serve gen4_turbo.
    assert body["model"] == ("gen4.5" if pair.flavour == "runway" else "gen4_turbo")
    assert body["ratio"] == "960:960"
    assert body["duration"] == 5
    assert body["promptText"] == "slow dolly in"
    assert "watermark" not in body  # gen4 schemas have no watermark
    assert "seed" not in body  # only when set
    assert "notify_hook" not in body
    assert decode(first_image(body)) == ("image/png", png.data)
    states = await pair.wait(task_id)
    assert states[-1].status is TaskStatus.SUCCEEDED
    assert states[-1].progress == 1.0
    assert states[-1].video_urls == [f"{pair.emu.base_url}/files/{task_id}.mp4"]
    async with httpx.AsyncClient() as http:
        got = await http.get(states[-1].video_urls[0])
    assert got.status_code == 200 and got.content == sample_mp4()


@pytest.mark.parametrize("flavour", ["runway", "openai-hk"])  # gpt.ge has no 21:9
async def test_seed_and_jpeg_go_on_the_wire(pairs: list[Pair], flavour: str) -> None:
    pair = await new_pair(pairs, flavour)
    jpg = image("JPEG")
    req = VideoRequest(
        prompt="waves", mode=Mode.IMAGE, first_frame=jpg, seed=4294967295, ratio="21:9"
    )
    await pair.client.submit(req, idempotency_key="k1")
    body = pair.last_body()
    assert body["seed"] == 4294967295
    assert body["ratio"] == "1584:672"
    assert decode(first_image(body))[0] == "image/jpeg"


async def test_first_and_last_frame(pair: Pair) -> None:
    first, last = image(color="red"), image("JPEG", color="blue")
    runway = pair.flavour == "runway"  # Runway: veo3.1_fast (4/6/8 s); resellers: gen3a_turbo
    req = VideoRequest(
        prompt="morph",
        mode=Mode.FIRST_LAST,
        first_frame=first,
        last_frame=last,
        duration=8 if runway else 10,
        watermark=False,
    )
    task_id = await pair.client.submit(req, idempotency_key="k1")
    body = pair.last_body()
    assert body["model"] == ("veo3.1_fast" if runway else "gen3a_turbo")
    assert body["ratio"] == ("1280:720" if runway else "1280:768")
    assert body["duration"] == (8 if runway else 10)
    if runway:
        assert "watermark" not in body  # no model Runway serves today has it
    else:
        assert body["watermark"] is False  # gen3a_turbo is the one model that knows it
    assert [i["position"] for i in body["promptImage"]] == ["first", "last"]
    assert set(body["promptImage"][0]) == {"uri", "position"}
    assert decode(body["promptImage"][0]["uri"]) == ("image/png", first.data)
    assert decode(body["promptImage"][1]["uri"]) == ("image/jpeg", last.data)
    assert (await pair.wait(task_id))[-1].status is TaskStatus.SUCCEEDED


async def test_gen3a_first_frame_only_is_a_string(pair: Pair) -> None:
    if pair.flavour == "runway":  # Runway's first+last model today is Veo, without watermark
        req = image_request(model="veo3.1_fast", ratio="9:16", watermark=True, duration=6)
        await pair.client.submit(req, idempotency_key="k1")
        body = pair.last_body()
        assert isinstance(body["promptImage"], str)
        assert body["ratio"] == "720:1280" and "watermark" not in body
        return
    req = image_request(model="gen3a_turbo", ratio="9:16", watermark=True)
    await pair.client.submit(req, idempotency_key="k1")
    body = pair.last_body()
    if pair.flavour == "openai-hk":  # its document types promptImage as object[] only
        assert [set(i) for i in body["promptImage"]] == [{"uri", "position"}]
    else:
        assert isinstance(body["promptImage"], str)
    assert body["ratio"] == "768:1280" and body["watermark"] is True


@pytest.mark.parametrize("flavour", ["runway", "openai-hk"])
async def test_video_to_video(pairs: list[Pair], flavour: str) -> None:
    p = await new_pair(pairs, flavour)
    ref = image()
    req = VideoRequest(prompt="make it rain", mode=Mode.VIDEO, video=video(), first_frame=ref)
    task_id = await p.client.submit(req, idempotency_key="k1")
    entry = p.creates()[-1]
    assert entry["path"] == f"{p.prefix}/video_to_video"
    body = entry["json"]
    assert body["promptText"] == "make it rain"
    assert decode(body["videoUri"]) == ("video/mp4", sample_mp4())
    if flavour == "runway":  # aleph2 has no style reference field
        assert body["model"] == "aleph2" and "references" not in body
    else:
        assert body["model"] == "gen4_aleph"
        assert body["references"] == [{"type": "image", "uri": ref.data_uri()}]
    assert "duration" not in body and "watermark" not in body
    assert (await p.wait(task_id))[-1].status is TaskStatus.SUCCEEDED


@pytest.mark.parametrize("flavour", ["runway", "openai-hk"])
@pytest.mark.parametrize("character_kind", ["image", "video"])
async def test_act_two(pairs: list[Pair], flavour: str, character_kind: str) -> None:
    p = await new_pair(pairs, flavour)
    character = image() if character_kind == "image" else video()
    req = VideoRequest(
        prompt="", mode=Mode.ACT, character=character, video=video(), body_control=True
    )
    task_id = await p.client.submit(req, idempotency_key="k1")
    entry = p.creates()[-1]
    assert entry["path"] == f"{p.prefix}/character_performance"
    body = entry["json"]
    assert body["model"] == "act_two"
    assert body["character"] == {"type": character_kind, "uri": character.data_uri()}
    assert body["reference"]["type"] == "video"
    assert decode(body["reference"]["uri"])[0] == "video/mp4"
    assert body["bodyControl"] is True
    assert "promptText" not in body and "duration" not in body
    assert (await p.wait(task_id))[-1].status is TaskStatus.SUCCEEDED


async def test_status_progression(pairs: list[Pair], flavour: str) -> None:
    p = await new_pair(pairs, flavour, queue_seconds=0.1, run_seconds=0.4)
    task_id = await p.client.submit(image_request(), idempotency_key="k1")
    states = await p.wait(task_id)
    raw = [s.raw_status for s in states]
    assert raw[0] == "PENDING" and states[0].status is TaskStatus.QUEUED
    running = [s for s in states if s.status is TaskStatus.RUNNING]
    assert running and all(s.raw_status == "RUNNING" for s in running)
    assert any(s.progress is not None and 0 < s.progress < 1 for s in running)
    progress = [s.progress or 0.0 for s in running]
    assert progress == sorted(progress)
    assert states[-1].status is TaskStatus.SUCCEEDED and states[-1].video_url


async def test_throttled_is_queued(pairs: list[Pair]) -> None:
    p = await new_pair(pairs, "runway", queue_seconds=10, throttled=True)
    task_id = await p.client.submit(image_request(), idempotency_key="k1")
    state = await p.client.poll(task_id)
    assert state.status is TaskStatus.QUEUED and state.raw_status == "THROTTLED"


# failures reported by the task


async def test_moderation_failure(pair: Pair) -> None:
    task_id = await pair.client.submit(image_request("[moderate] nope"), idempotency_key="k1")
    state = (await pair.wait(task_id))[-1]
    assert state.status is TaskStatus.FAILED
    assert state.moderated
    assert state.failure == "Text prompt did not pass moderation"
    assert state.failure_code in ("SAFETY.INPUT.TEXT", "INPUT_PREPROCESSING.SAFETY.TEXT")
    assert not state.video_urls


async def test_internal_failure_is_not_moderation(pairs: list[Pair]) -> None:
    p = await new_pair(pairs, "runway", fail_code="INTERNAL.BAD_OUTPUT.CODE01")
    task_id = await p.client.submit(image_request("[fail] x"), idempotency_key="k1")
    state = (await p.wait(task_id))[-1]
    assert state.status is TaskStatus.FAILED and not state.moderated
    assert state.failure_code == "INTERNAL.BAD_OUTPUT.CODE01"


async def test_never_finishing_task_stays_running(pair: Pair) -> None:
    task_id = await pair.client.submit(image_request("[never] x"), idempotency_key="k1")
    await asyncio.sleep(pair.emu.run_seconds * 2)
    for _ in range(3):
        state = await pair.client.poll(task_id)
        assert state.status is TaskStatus.RUNNING
        assert state.progress is not None and state.progress < 1
        await asyncio.sleep(0.02)


async def test_unknown_status_is_running(pair: Pair, caplog: pytest.LogCaptureFixture) -> None:
    task_id = await pair.client.submit(image_request(), idempotency_key="k1")
    pair.emu.fail_next("poll", Fault(200, {"id": task_id, "status": "WARMING_UP"}))
    with caplog.at_level(logging.WARNING, logger="bot.vendors.runway"):
        state = await pair.client.poll(task_id)
    assert state.status is TaskStatus.RUNNING and state.raw_status == "WARMING_UP"
    assert "WARMING_UP" in caplog.text
    assert KEY not in caplog.text


async def test_status_is_case_insensitive(pair: Pair) -> None:
    pair.emu.fail_next("poll", Fault(200, {"id": "t", "status": "succeeded", "output": ["u"]}))
    state = await pair.client.poll("t")
    assert state.status is TaskStatus.SUCCEEDED and state.video_urls == ["u"]


# cancel


async def test_runway_cancel_deletes_then_404_is_cancelled(pairs: list[Pair]) -> None:
    p = await new_pair(pairs, "runway")
    task_id = await p.client.submit(image_request("[never] x"), idempotency_key="k1")
    assert await p.client.cancel(task_id) is True
    assert p.emu.count("DELETE", f"/v1/tasks/{task_id}") == 1
    async with httpx.AsyncClient() as http:  # the vendor itself no longer knows the task
        raw = await http.get(
            f"{p.emu.base_url}/v1/tasks/{task_id}",
            headers={"Authorization": f"Bearer {KEY}", "X-Runway-Version": "2024-11-06"},
        )
    assert raw.status_code == 404 and raw.json() == {"error": "Could not find Task"}
    state = await p.client.poll(task_id)
    assert state.status is TaskStatus.CANCELLED


async def test_runway_cancelled_status(pairs: list[Pair]) -> None:
    p = await new_pair(pairs, "runway", cancel_keeps_task=True)
    task_id = await p.client.submit(image_request("[never] x"), idempotency_key="k1")
    assert await p.client.cancel(task_id)
    state = await p.client.poll(task_id)
    assert state.status is TaskStatus.CANCELLED and state.raw_status == "CANCELLED"


async def test_poll_404_without_cancel_is_not_found(pair: Pair) -> None:
    with pytest.raises(NotFound) as info:
        await pair.client.poll("00000000-0000-0000-0000-000000000000")
    assert info.value.status == 404
    assert_safe(info.value)


@pytest.mark.parametrize("flavour", ["gptge", "openai-hk"])
async def test_resellers_cannot_cancel(pairs: list[Pair], flavour: str) -> None:
    p = await new_pair(pairs, flavour)
    task_id = await p.client.submit(image_request("[never] x"), idempotency_key="k1")
    assert await p.client.cancel(task_id) is False
    assert p.emu.count("DELETE", "/") == 0
    assert (await p.client.poll(task_id)).status is TaskStatus.RUNNING


# HTTP failures


async def test_wrong_key_is_auth_error(flavour: str, pairs: list[Pair]) -> None:
    p = await new_pair(pairs, flavour, key="key_other")
    with pytest.raises(AuthError) as info:
        await p.client.submit(image_request(), idempotency_key="k1")
    assert info.value.status == 401
    assert "No API key was provided" in str(info.value)
    assert_safe(info.value)
    with pytest.raises(AuthError) as info:
        await p.client.poll("x")
    assert_safe(info.value)


async def test_openai_envelope_errors(pairs: list[Pair]) -> None:
    p = await new_pair(pairs, "openai-hk", key="hk-other", openai_errors=True)
    with pytest.raises(AuthError) as auth:
        await p.client.submit(image_request(), idempotency_key="k1")
    assert "invalid token" in str(auth.value)
    p.emu.fail_next("create", Fault(403, OPENAI_CREDITS_BODY))
    with pytest.raises(OutOfCredits) as credits:
        await p.client.submit(image_request(), idempotency_key="k1")
    assert_safe(auth.value)
    assert_safe(credits.value)


async def test_echoed_key_is_scrubbed(pair: Pair, caplog: pytest.LogCaptureFixture) -> None:
    message = f"Incorrect API key provided: {KEY} (normalised: {KEY.upper()})"
    body = {"error": {"message": message, "code": "invalid_api_key"}}
    pair.emu.fail_next("create", Fault(401, body))
    with caplog.at_level(logging.DEBUG), pytest.raises(AuthError) as info:
        await pair.client.submit(image_request(), idempotency_key="k1")
    assert "Incorrect API key provided: [REDACTED] (normalised: [REDACTED])" in str(info.value)
    assert_safe(info.value)
    assert KEY.upper() not in str(info.value)
    assert KEY not in caplog.text


async def test_rate_limited_then_success(pair: Pair) -> None:
    pair.emu.fail_next("create", Fault(429, DAILY_LIMIT_BODY, headers={"Retry-After": "7"}))
    with pytest.raises(DailyLimit) as info:  # a RateLimited the queue waits a day on
        await pair.client.submit(image_request(), idempotency_key="k1")
    assert info.value.retry_after == 7.0 and isinstance(info.value, RateLimited)
    assert "daily task limit" in str(info.value)
    assert_safe(info.value)
    task_id = await pair.client.submit(image_request(), idempotency_key="k1")
    assert (await pair.wait(task_id))[-1].status is TaskStatus.SUCCEEDED


async def test_server_error_then_success(pair: Pair) -> None:
    pair.emu.fail_next("create", Fault(500))
    with pytest.raises(Transient) as info:
        await pair.client.submit(image_request(), idempotency_key="k1")
    assert not isinstance(info.value, UnknownOutcome)
    assert_safe(info.value)
    pair.emu.fail_next("poll", Fault(503, "<html>Service Unavailable</html>"))
    task_id = await pair.client.submit(image_request(), idempotency_key="k1")
    with pytest.raises(Transient):
        await pair.client.poll(task_id)
    assert (await pair.wait(task_id))[-1].status is TaskStatus.SUCCEEDED


async def test_dropped_create_is_unknown_outcome(pair: Pair) -> None:
    pair.emu.fail_next("create", Fault(drop=True, process=True))
    with pytest.raises(UnknownOutcome) as info:
        await pair.client.submit(image_request(), idempotency_key="k1")
    assert_safe(info.value)
    assert len(pair.emu.tasks) == 1  # the vendor did create it: never blindly resubmit


async def test_gateway_timeout_on_create_is_unknown_outcome(pair: Pair) -> None:
    pair.emu.fail_next("create", Fault(504, {"error": "Gateway Timeout"}))
    with pytest.raises(UnknownOutcome):
        await pair.client.submit(image_request(), idempotency_key="k1")


async def test_malformed_poll_is_transient(pair: Pair) -> None:
    task_id = await pair.client.submit(image_request(), idempotency_key="k1")
    pair.emu.fail_next("poll", Fault(200, '{"id": "x", "status": '))
    with pytest.raises(Transient) as info:
        await pair.client.poll(task_id)
    assert not isinstance(info.value, UnknownOutcome)
    pair.emu.fail_next("poll", Fault(200, {"id": task_id}))  # JSON, but no status
    with pytest.raises(Transient):
        await pair.client.poll(task_id)
    assert (await pair.wait(task_id))[-1].status is TaskStatus.SUCCEEDED


async def test_dropped_poll_is_transient(pair: Pair) -> None:
    task_id = await pair.client.submit(image_request(), idempotency_key="k1")
    pair.emu.fail_next("poll", Fault(drop=True))
    with pytest.raises(Transient) as info:
        await pair.client.poll(task_id)
    assert not isinstance(info.value, UnknownOutcome)


async def test_create_answer_without_id_is_unknown_outcome(pair: Pair) -> None:
    pair.emu.fail_next("create", Fault(200, {"ok": True}))
    with pytest.raises(UnknownOutcome):
        await pair.client.submit(image_request(), idempotency_key="k1")


async def test_out_of_credits(pair: Pair) -> None:
    pair.emu.fail_next("create", Fault(400, CREDITS_BODY))
    with pytest.raises(OutOfCredits) as info:
        await pair.client.submit(image_request(), idempotency_key="k1")
    assert info.value.status == 400


async def test_validation_error_names_the_field(pair: Pair) -> None:
    # The router would never send this; the vendor's 400 must still come back readable.
    runway = pair.flavour == "runway"
    req = image_request(model="veo3.1" if runway else "gen3a_turbo", duration=7)
    with pytest.raises(RunwayValidationError) as info:
        await pair.client.submit(req, idempotency_key="k1")
    assert isinstance(info.value, BadRequest)
    assert not isinstance(info.value, (Transient, RateLimited))
    assert info.value.fields == ("duration",)
    assert "Validation of body failed" in str(info.value)
    allowed = "4|6|8" if runway else "5|10"
    assert f"duration: Invalid option: expected one of {allowed}" in str(info.value)


async def test_gptge_prompt_limit_is_512(pairs: list[Pair]) -> None:
    p = await new_pair(pairs, "gptge")
    await p.client.submit(image_request("x" * 512), idempotency_key="k1")
    with pytest.raises(RunwayValidationError) as info:
        await p.client.submit(image_request("x" * 513), idempotency_key="k1")
    assert info.value.fields == ("promptText",)


async def test_no_fallback_for_other_fields(pairs: list[Pair]) -> None:
    p = await new_pair(pairs, "gptge")
    with pytest.raises(BadRequest):
        await p.client.submit(image_request(duration=7), idempotency_key="k1")
    assert len(p.creates()) == 1


# openai-hk notify_hook


async def test_openai_hk_notify_hook(pairs: list[Pair]) -> None:
    p = await new_pair(pairs, "openai-hk")
    got: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def hook(request: web.Request) -> web.Response:
        await got.put(await request.json())
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}/hook"
    try:
        task_id = await p.client.submit(image_request(), idempotency_key="k1", callback_url=url)
        assert p.last_body()["notify_hook"] == url
        body = await asyncio.wait_for(got.get(), timeout=5)
    finally:
        await runner.cleanup()
    parsed = p.client.parse_callback(body)
    assert parsed is not None
    cb_id, state = parsed
    assert cb_id == task_id
    assert state.status is TaskStatus.SUCCEEDED
    assert state.video_url == f"{p.emu.base_url}/files/{task_id}.mp4"
    assert p.emu.callbacks == [(url, body)]


async def test_parse_callback() -> None:
    hk = OpenAIHKClient(api_key=KEY)
    try:
        moderated = {
            "id": "87f8a40c",
            "status": "FAILED",
            "failure": "Text prompt did not pass moderation",
            "failureCode": "INPUT_PREPROCESSING.SAFETY.TEXT",
        }
        parsed = hk.parse_callback(moderated)
        assert parsed is not None and parsed[0] == "87f8a40c"
        assert parsed[1].status is TaskStatus.FAILED and parsed[1].moderated
        assert hk.parse_callback({"data": {"id": "a", "status": "RUNNING", "progress": 0.5}})
        assert hk.parse_callback({"hello": "world"}) is None
        assert hk.parse_callback({"status": "SUCCEEDED"}) is None
    finally:
        await hk.aclose()
    runway = RunwayClient(api_key=KEY)
    try:
        assert runway.parse_callback(moderated) is None  # Runway has no callbacks
    finally:
        await runway.aclose()


@pytest.mark.parametrize("flavour", ["runway", "gptge"])
async def test_notify_hook_only_for_openai_hk(pairs: list[Pair], flavour: str) -> None:
    p = await new_pair(pairs, flavour)
    await p.client.submit(image_request(), idempotency_key="k1", callback_url="https://x/cb")
    assert "notify_hook" not in p.last_body()


# the emulator's own contract, spoken to directly


async def raw_post(p: Pair, endpoint: str, body: Any, **headers: str) -> httpx.Response:
    base = {"Authorization": f"Bearer {KEY}", "X-Runway-Version": "2024-11-06"}
    base.update(headers)
    async with httpx.AsyncClient() as http:
        return await http.post(
            f"{p.emu.base_url}{p.prefix}/{endpoint}",
            json=body,
            headers={k: v for k, v in base.items() if v},
        )


def good_body(flavour: str = "runway", **over: Any) -> dict[str, Any]:
    """A valid gen4 image body in each flavour's documented dialect: gpt.ge's model name and
    sizes, openai-hk's `promptImage` array (a string override is wrapped into it)."""
    body: dict[str, Any] = {
        "model": "gen4a_turbo" if flavour == "gptge" else "gen4_turbo",
        "promptImage": image().data_uri(),
        "promptText": "slow dolly in",
        "ratio": "1280:768" if flavour == "gptge" else "1280:720",
        "duration": 5,
    }
    body.update(over)
    if flavour == "openai-hk" and isinstance(body["promptImage"], str):
        body["promptImage"] = [{"uri": body["promptImage"], "position": "first"}]
    return {k: v for k, v in body.items() if v is not None}


@pytest.mark.parametrize(
    ("over", "path", "message"),
    [
        ({"model": "gen9"}, ["model"], "Invalid option: expected one of "),
        (
            {"ratio": "1280:768"},
            ["ratio"],
            # The order of the last four follows the SDK's Literal (typing caches equal sets).
            "Invalid option: expected one of '1280:720'|'720:1280'|'1104:832'|",
        ),
        # Runway takes 2-10 s for gen4_turbo, the resellers 5|10: 11 is wrong everywhere.
        ({"duration": 11}, ["duration"], "Invalid option: expected one of "),
        ({"promptText": "x" * 1001}, ["promptText"], "Too big: expected string to have <="),
        ({"promptImage": "http://example.com/a.png"}, ["promptImage"], "Invalid URL"),
        ({"promptImage": "data:;base64,AAAA"}, ["promptImage"], "media type is required"),
        ({"promptImage": "data:text/plain;base64,AAAA"}, ["promptImage"], "Unsupported image"),
        (
            {"promptImage": [{"uri": "https://e.com/a.png", "position": "last"}]},
            ["promptImage", 0, "position"],
            "Invalid option: expected one of 'first'",
        ),
        ({"seed": 4294967296}, ["seed"], "Too big: expected number to be <=4294967295"),
    ],
)
async def test_emulator_validation(
    pair: Pair, over: dict[str, Any], path: list[Any], message: str
) -> None:
    if pair.flavour == "gptge" and path == ["ratio"]:  # its document: the gen3 sizes only
        over, message = (
            {"ratio": "1280:720"},
            "Invalid option: expected one of '1280:768'|'768:1280'",
        )
    if pair.flavour == "openai-hk" and path == ["promptImage"]:  # wrapped in the array
        path = ["promptImage", 0, "uri"]
    response = await raw_post(pair, "image_to_video", good_body(pair.flavour, **over))
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Validation of body failed"
    assert body["docUrl"].startswith("https://docs.dev.runwayml.com")
    issues = body["issues"]
    assert [i["path"] for i in issues] == [path], issues
    assert message in issues[0]["message"]
    assert set(issues[0]) == {"code", "message", "path"}
    assert pair.emu.tasks == {}


async def test_emulator_accepts_good_body(pair: Pair) -> None:
    response = await raw_post(pair, "image_to_video", good_body(pair.flavour))
    assert response.status_code == 200
    assert set(response.json()) <= {"id", "estimatedCost"}


async def test_emulator_runway_is_strict_about_watermark(pair: Pair) -> None:
    response = await raw_post(pair, "image_to_video", good_body(pair.flavour, watermark=False))
    if pair.flavour == "runway":
        assert response.status_code == 400
        assert response.json()["issues"][0]["code"] == "unrecognized_keys"
    else:  # openai-hk's own example sends it to gen4_turbo
        assert response.status_code == 200


async def test_emulator_auth_and_version(pair: Pair) -> None:
    good = good_body(pair.flavour)
    missing = await raw_post(pair, "image_to_video", good, Authorization="")
    assert missing.status_code == 401
    assert missing.json()["error"].startswith("No API key was provided.")
    assert "docUrl" in missing.json()
    wrong = await raw_post(pair, "image_to_video", good, Authorization="Bearer nope")
    assert wrong.status_code == 401
    no_version = await raw_post(pair, "image_to_video", good, **{"X-Runway-Version": ""})
    if pair.flavour == "openai-hk":
        assert no_version.status_code == 200
    else:
        assert no_version.status_code == 400
        assert "X-Runway-Version" in no_version.json()["error"]


async def test_emulator_endpoints_per_flavour(pair: Pair) -> None:
    expected = {
        "runway": {"text_to_video": True, "video_to_video": True, "character_performance": True},
        "gptge": {"text_to_video": False, "video_to_video": False, "character_performance": False},
        "openai-hk": {
            "text_to_video": False,
            "video_to_video": True,
            "character_performance": True,
        },
    }[pair.flavour]
    for endpoint, exists in expected.items():
        response = await raw_post(pair, endpoint, {"model": "x"})
        assert response.status_code == (400 if exists else 404), endpoint
    async with httpx.AsyncClient() as http:
        deleted = await http.delete(
            f"{pair.emu.base_url}{pair.prefix}/tasks/x",
            headers={"Authorization": f"Bearer {KEY}", "X-Runway-Version": "2024-11-06"},
        )
    assert deleted.status_code == (404 if pair.flavour == "runway" else 405)


def test_pixel_pairs_follow_the_model_family() -> None:
    assert pixels("gen3a_turbo", "16:9") == GEN3_PIXELS["16:9"] == "1280:768"
    assert pixels("gen4_turbo", "16:9") == GEN4_PIXELS["16:9"] == "1280:720"
    with pytest.raises(ValueError):
        pixels("gen3a_turbo", "1:1")  # gen3 has no square frame


def test_vendor_modules_stay_small() -> None:
    """Each vendor module is one concern that can be read in one go."""
    folder = Path(__file__).resolve().parent.parent / "bot" / "vendors"
    sizes = {
        str(p.relative_to(folder)): len(p.read_text(encoding="utf-8").splitlines())
        for p in folder.rglob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > 300} == {}


def test_runway_capabilities_default_only_to_offered_models() -> None:
    caps = runway_capabilities(GEN4_TURBO, GEN3A)
    assert caps.defaults == {Mode.IMAGE: "gen4_turbo", Mode.FIRST_LAST: "gen3a_turbo"}
    assert caps.pick(Mode.TEXT, None) is None  # gen4.5 is Runway's default but not offered here
    assert RunwayClient.capabilities.defaults[Mode.TEXT] == "gen4.5"
