"""ApiframeClient against the apiframe emulator, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
from typing import Any, TypeVar

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
from bot.vendors.apiframe import ApiframeClient, idempotency_header
from tests.emulators.apiframe import ApiframeEmulator, sign
from tests.emulators.base import Fault, sample_mp4
from tests.emulators.reseller import Clock, Receiver
from tests.helpers import image_bytes

KEY = "afk_s3cret-apiframe-key"
pytestmark = pytest.mark.emulator("apiframe", key=KEY, clock=True, queue_seconds=1, run_seconds=2)
E = TypeVar("E", bound=VendorError)


def text_req(prompt: str = "a city at dusk", **kw: Any) -> VideoRequest:
    return VideoRequest(prompt=prompt, mode=Mode.TEXT, **kw)


def image_req(prompt: str = "waves roll in", **kw: Any) -> VideoRequest:
    return VideoRequest(
        prompt=prompt, mode=Mode.IMAGE, first_frame=Media(image_bytes(fmt="PNG"), "image/png"), **kw
    )


def safe(exc: E) -> E:
    """Every error must be loggable: the key never appears in it."""
    assert KEY not in str(exc) and KEY not in repr(exc)
    return exc


def last_create(emu: ApiframeEmulator) -> dict[str, Any]:
    return next(r for r in reversed(emu.log) if r["method"] == "POST")


async def test_text_request_wire_body(emu: ApiframeEmulator, client: ApiframeClient) -> None:
    job_id = await client.submit(text_req(duration=10, ratio="9:16"), idempotency_key="job-1")
    entry = last_create(emu)
    assert entry["path"] == "/v2/videos/generate"
    assert entry["headers"]["X-API-Key"] == KEY
    assert entry["headers"]["Idempotency-Key"] == "job-1"
    assert entry["json"] == {
        "model": "runway-gen4-turbo",
        "prompt": "a city at dusk",
        "runwayParams": {"duration": 10, "aspect_ratio": "9:16"},
    }
    assert job_id in emu.tasks


async def test_image_request_sends_data_uri_and_seed(
    emu: ApiframeEmulator, client: ApiframeClient
) -> None:
    req = image_req(model="gen4.5", seed=42)
    await client.submit(req, idempotency_key="job-2", callback_url="https://bot.example/hook")
    body = last_create(emu)["json"]
    assert body["model"] == "runway-gen4.5"
    assert body["runwayParams"]["image"].startswith("data:image/png;base64,")
    assert body["runwayParams"]["seed"] == 42
    assert body["webhookUrl"] == "https://bot.example/hook"
    assert sorted(body["webhookEvents"]) == ["completed", "failed", "progress"]


async def test_status_sequence_to_success(
    emu: ApiframeEmulator, client: ApiframeClient, clock: Clock
) -> None:
    job_id = await client.submit(image_req(), idempotency_key="job-3")
    state = await client.poll(job_id)
    assert (state.status, state.raw_status, state.progress) == (TaskStatus.QUEUED, "QUEUED", 0.0)
    clock.advance(2)  # one second into a two-second run
    state = await client.poll(job_id)
    assert state.status is TaskStatus.RUNNING and state.raw_status == "PROCESSING"
    assert state.progress == pytest.approx(0.5)
    clock.advance(2)
    state = await client.poll(job_id)
    assert state.status is TaskStatus.SUCCEEDED and state.progress == 1.0
    assert state.video_url == f"{emu.base_url}/files/{job_id}.mp4"
    video = await client.http.get(state.video_url)
    assert video.content == sample_mp4()


@pytest.mark.parametrize("shape", ["string", "videoUrl", "url", "urls"])
async def test_result_shapes(
    emu: ApiframeEmulator, client: ApiframeClient, clock: Clock, shape: str
) -> None:
    emu.result_shape = shape
    job_id = await client.submit(text_req(), idempotency_key=f"shape-{shape}")
    clock.advance(10)
    state = await client.poll(job_id)
    assert state.video_urls == [f"{emu.base_url}/files/{job_id}.mp4"]


async def test_moderation_and_plain_failure(client: ApiframeClient, clock: Clock) -> None:
    moderated = await client.submit(text_req("[moderate] gore"), idempotency_key="m")
    broken = await client.submit(text_req("[fail] a dog"), idempotency_key="f")
    clock.advance(10)
    state = await client.poll(moderated)
    assert state.status is TaskStatus.FAILED and state.moderated
    assert state.failure and "content policy" in state.failure
    state = await client.poll(broken)
    assert state.status is TaskStatus.FAILED and not state.moderated


async def test_auth_failure(emu: ApiframeEmulator) -> None:
    wrong = ApiframeClient(api_key="afk_wrong", base_url=emu.base_url)
    try:
        with pytest.raises(AuthError) as info:
            await wrong.submit(text_req(), idempotency_key="a")
        assert "afk_wrong" not in str(info.value)
        with pytest.raises(AuthError):
            await wrong.poll("00000000-0000-0000-0000-000000000000")
    finally:
        await wrong.aclose()
    assert not emu.tasks


async def test_insufficient_credits(emu: ApiframeEmulator, client: ApiframeClient) -> None:
    emu.credits = 10
    await client.submit(text_req(duration=5), idempotency_key="c1")  # costs 8
    with pytest.raises(OutOfCredits) as info:
        await client.submit(text_req(duration=5), idempotency_key="c2")
    assert safe(info.value).status == 402 and "Insufficient credits" in str(info.value)


async def test_rate_limited_with_retry_after_then_success(
    emu: ApiframeEmulator, client: ApiframeClient
) -> None:
    emu.fail_next("create", Fault(429, {"error": "Too many requests"}, {"Retry-After": "3"}))
    with pytest.raises(RateLimited) as info:
        await client.submit(text_req(), idempotency_key="r")
    assert safe(info.value).retry_after == 3.0
    job_id = await client.submit(text_req(), idempotency_key="r")
    assert list(emu.tasks) == [job_id]


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_then_success(
    emu: ApiframeEmulator, client: ApiframeClient, status: int
) -> None:
    emu.fail_next("create", Fault(status, {"error": "Service unavailable"}))
    with pytest.raises(Transient) as info:
        await client.submit(text_req(), idempotency_key="s")
    assert not isinstance(info.value, UnknownOutcome)  # an error answer: nothing was created
    job_id = await client.submit(text_req(), idempotency_key="s")
    emu.fail_next("poll", Fault(status, {"error": "Service unavailable"}))
    with pytest.raises(Transient):
        await client.poll(job_id)
    assert (await client.poll(job_id)).status is TaskStatus.QUEUED


async def test_dropped_create_then_replay_returns_the_same_job(
    emu: ApiframeEmulator, client: ApiframeClient
) -> None:
    emu.fail_next("create", Fault(drop=True, process=True))  # created, answer lost
    with pytest.raises(UnknownOutcome) as info:
        await client.submit(text_req(), idempotency_key="once")
    safe(info.value)
    assert len(emu.tasks) == 1
    job_id = await client.submit(text_req(), idempotency_key="once")
    assert list(emu.tasks) == [job_id]
    assert emu.count("POST", "/v2/videos/generate") == 2


async def test_dropped_create_before_processing(
    emu: ApiframeEmulator, client: ApiframeClient
) -> None:
    emu.fail_next("create", Fault(drop=True))
    with pytest.raises(UnknownOutcome):
        await client.submit(text_req(), idempotency_key="lost")
    assert not emu.tasks
    await client.submit(text_req(), idempotency_key="lost")
    assert len(emu.tasks) == 1


def test_long_idempotency_keys_are_hashed_stably() -> None:
    long = "k" * 300
    assert idempotency_header("short") == "short"
    assert len(idempotency_header(long)) == 64
    assert idempotency_header(long) == idempotency_header(long)


async def test_malformed_poll_body_is_transient(
    emu: ApiframeEmulator, client: ApiframeClient
) -> None:
    job_id = await client.submit(text_req(), idempotency_key="x")
    emu.fail_next("poll", Fault(200, "{not json"))
    with pytest.raises(Transient):
        await client.poll(job_id)


async def test_validation_error_names_the_field(client: ApiframeClient) -> None:
    with pytest.raises(BadRequest) as info:
        await client.submit(text_req(ratio="2:1"), idempotency_key="v")
    assert "runwayParams.aspect_ratio" in str(safe(info.value))


async def test_emulator_rejects_unknown_keys(emu: ApiframeEmulator, client: ApiframeClient) -> None:
    body = {"model": "runway-gen4-turbo", "prompt": "p", "runwayParams": {"ratio": "16:9"}}
    answer = await client.http.post(
        f"{emu.base_url}/v2/videos/generate", json=body, headers={"X-API-Key": KEY}
    )
    assert answer.status_code == 400
    assert "runwayParams" in answer.json()["details"]


async def test_poll_unknown_and_malformed_ids(client: ApiframeClient) -> None:
    with pytest.raises(NotFound):
        await client.poll("9f1c7b1e-0000-4000-8000-000000000000")
    with pytest.raises(BadRequest):
        await client.poll("not-a-uuid")


async def test_signed_webhooks_verify_and_parse(
    emu: ApiframeEmulator, client: ApiframeClient, clock: Clock
) -> None:
    receiver = await Receiver().start()
    try:
        job_id = await client.submit(text_req(), idempotency_key="w", callback_url=receiver.url)
        clock.advance(2)
        await receiver.wait_for(lambda b: b["event"] == "progress")
        clock.advance(2)
        await receiver.wait_for(lambda b: b["event"] == "completed")
    finally:
        await receiver.stop()
    events = [headers["X-Webhook-Event"] for _, headers in receiver.posts]
    assert events[0] == "progress" and events[-1] == "completed"
    for raw, headers in receiver.posts:
        assert client.verify_callback(raw, headers)
        assert not client.verify_callback(raw + b" ", headers)
    raw, _ = receiver.posts[-1]
    parsed = client.parse_callback(json.loads(raw))
    assert parsed is not None
    task_id, state = parsed
    assert task_id == job_id and state.status is TaskStatus.SUCCEEDED
    assert state.video_url == f"{emu.base_url}/files/{job_id}.mp4"
    progress = client.parse_callback(json.loads(receiver.posts[0][0]))
    assert progress is not None and progress[1].status is TaskStatus.RUNNING
    assert progress[1].progress == pytest.approx(0.5)


def signed(signature: str) -> dict[str, str]:
    return {"X-Webhook-Signature": signature}


def test_verify_callback_rejects_bad_signatures() -> None:
    client = ApiframeClient(api_key=KEY)
    raw = b'{"event":"failed","jobId":"j","status":"FAILED","error":"x"}'
    good = sign(KEY, raw)
    assert client.verify_callback(raw, signed(good))
    assert client.verify_callback(raw, signed(good.upper().replace("SHA256=", "sha256=")))
    assert client.verify_callback(raw, {"x-webhook-signature": good})  # any header case
    assert not client.verify_callback(raw, signed(sign("afk_other", raw)))
    assert not client.verify_callback(raw, signed("sha1=" + good.removeprefix("sha256=")))
    assert not client.verify_callback(raw, signed("sha256=not-hex"))
    assert not client.verify_callback(raw, signed(""))
    assert not client.verify_callback(raw, {})
    assert not ApiframeClient(api_key="").verify_callback(raw, signed(good))


def test_verify_callback_accepts_a_bare_hex_signature() -> None:
    """apiframe's own SDK takes the signature with or without its `sha256=` prefix."""
    client = ApiframeClient(api_key=KEY)
    raw = b'{"event":"completed","jobId":"j","status":"COMPLETED"}'
    bare = sign(KEY, raw).removeprefix("sha256=")
    assert client.verify_callback(raw, signed(bare))
    assert client.verify_callback(raw, signed(f"  {bare.upper()} "))
    assert not client.verify_callback(raw + b" ", signed(bare))


def test_parse_failed_webhook_body() -> None:
    client = ApiframeClient(api_key=KEY)
    body = {
        "event": "failed",
        "jobId": "j-1",
        "status": "FAILED",
        "error": "Provider returned an error: content policy violation",
        "model": "runway-gen4-turbo",
    }
    parsed = client.parse_callback(body)
    assert parsed is not None and parsed[0] == "j-1"
    assert parsed[1].status is TaskStatus.FAILED and parsed[1].moderated
    assert client.parse_callback({"hello": "world"}) is None


async def test_account_reads_the_team_balance(
    emu: ApiframeEmulator, client: ApiframeClient
) -> None:
    """apiframe's `Me` schema keeps the balance at `team.credits`, which `doctor` shows."""
    emu.credits = 250
    account = await client.account()
    assert account is not None and account.credits == 250
    assert emu.log[-1]["path"] == "/v2/me"


async def test_account_tolerates_a_top_level_balance(
    emu: ApiframeEmulator, client: ApiframeClient
) -> None:
    """An older answer put `credits` at the top; it is read there when `team` has none."""
    emu.me_shape = "flat"
    emu.credits = 40
    account = await client.account()
    assert account is not None and account.credits == 40
