"""UseapiClient against the useapi.net emulator, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
from typing import Any, TypeVar

import pytest

from bot.errors import (
    AuthError,
    BadRequest,
    Moderated,
    NotFound,
    OutOfCredits,
    RateLimited,
    Transient,
    UnknownOutcome,
    VendorError,
)
from bot.models import Media, Mode, TaskStatus, VideoRequest
from bot.vendors.useapi import UseapiClient, parse_task
from tests.emulators.base import Fault, sample_mp4
from tests.emulators.reseller import Clock, Receiver
from tests.emulators.useapi import PREFIX, UseapiEmulator
from tests.helpers import image_bytes

KEY = "user:1234-s3cretUseapiToken"
pytestmark = pytest.mark.emulator("useapi", key=KEY, clock=True, queue_seconds=1, run_seconds=2)
E = TypeVar("E", bound=VendorError)


def text_req(prompt: str = "a lighthouse in a storm", **kw: Any) -> VideoRequest:
    return VideoRequest(prompt=prompt, mode=Mode.TEXT, **kw)


def image_req(prompt: str = "the kite lifts off", **kw: Any) -> VideoRequest:
    return VideoRequest(
        prompt=prompt, mode=Mode.IMAGE, first_frame=Media(image_bytes(fmt="PNG"), "image/png"), **kw
    )


def safe(exc: E) -> E:
    assert KEY not in str(exc) and KEY not in repr(exc)
    return exc


def posts(emu: UseapiEmulator, path: str) -> list[dict[str, Any]]:
    return [r for r in emu.log if r["method"] == "POST" and r["path"] == f"{PREFIX}{path}"]


async def test_text_request_on_gen45(emu: UseapiEmulator, client: UseapiClient) -> None:
    task_id = await client.submit(text_req(duration=10), idempotency_key="job-t")
    [entry] = posts(emu, "/gen4_5/create")
    assert entry["headers"]["Authorization"] == f"Bearer {KEY}"
    assert entry["json"] == {
        "text_prompt": "a lighthouse in a storm",
        "seconds": 10,
        "aspect_ratio": "16:9",
        "replyRef": "job-t",
    }
    assert ":" in task_id and "@" in task_id and task_id in emu.tasks


async def test_image_request_uploads_then_creates(
    emu: UseapiEmulator, client: UseapiClient
) -> None:
    await client.submit(image_req(ratio="4:3", seed=99), idempotency_key="job-i")
    [upload] = posts(emu, "/assets/")
    assert upload["headers"]["Content-Type"] == "image/png"
    assert upload["query"]["name"] == "job-i-first.png"
    [asset_id] = emu.assets
    assert emu.assets[asset_id]["data"] == image_bytes(fmt="PNG")
    [create] = posts(emu, "/gen4turbo/create")
    assert create["json"] == {
        "text_prompt": "the kite lifts off",
        "seconds": 5,
        "firstImage_assetId": asset_id,
        "aspect_ratio": "4:3",
        "seed": 99,
        "replyRef": "job-i",
    }


async def test_first_last_on_gen3turbo(emu: UseapiEmulator, client: UseapiClient) -> None:
    req = VideoRequest(
        prompt="",
        mode=Mode.FIRST_LAST,
        first_frame=Media(image_bytes(fmt="PNG"), "image/png"),
        last_frame=Media(image_bytes(fmt="JPEG"), "image/jpeg"),
        ratio="9:16",
        duration=10,
    )
    await client.submit(req, idempotency_key="job-fl")
    [create] = posts(emu, "/gen3turbo/create")
    body = create["json"]
    assert body["firstImage_assetId"] in emu.assets and body["lastImage_assetId"] in emu.assets
    assert body["firstImage_assetId"] != body["lastImage_assetId"]
    assert (body["aspect_ratio"], body["seconds"]) == ("portrait", 10)
    assert "text_prompt" not in body  # optional on gen3, and the bot had none


async def test_video_to_video(emu: UseapiEmulator, client: UseapiClient) -> None:
    req = VideoRequest(
        prompt="make it claymation",
        mode=Mode.VIDEO,
        video=Media(sample_mp4(), "video/mp4"),
        duration=10,
    )
    await client.submit(req, idempotency_key="job-v")
    [upload] = posts(emu, "/assets/")
    assert upload["headers"]["Content-Type"] == "video/mp4"
    [create] = posts(emu, "/gen3turbo/video")
    body = create["json"]
    assert emu.assets[body["assetId"]]["type"]["type"] == "video"
    assert (body["aspect_ratio"], body["seconds"]) == ("landscape", 10)


async def test_webp_is_uploaded_as_png(emu: UseapiEmulator, client: UseapiClient) -> None:
    req = VideoRequest(
        prompt="p", mode=Mode.IMAGE, first_frame=Media(image_bytes(fmt="WEBP"), "image/webp")
    )
    await client.submit(req, idempotency_key="job-w")
    [upload] = posts(emu, "/assets/")
    assert upload["headers"]["Content-Type"] == "image/png"


@pytest.mark.parametrize(("seed", "sent"), [(0, 1), (4294967295, 4294967294), (5, 5)])
async def test_seed_is_clamped(
    emu: UseapiEmulator, client: UseapiClient, seed: int, sent: int
) -> None:
    await client.submit(text_req(seed=seed), idempotency_key="s")
    [create] = posts(emu, "/gen4_5/create")
    assert create["json"]["seed"] == sent


async def test_status_sequence_with_verbatim_task_id(
    emu: UseapiEmulator, client: UseapiClient, clock: Clock
) -> None:
    task_id = await client.submit(image_req(), idempotency_key="job-s")
    assert task_id.startswith("user:") and "@" in task_id
    state = await client.poll(task_id)
    assert (state.status, state.raw_status, state.progress) == (
        TaskStatus.QUEUED,
        "PENDING",
        None,
    )
    assert emu.raw_paths[-1] == f"{PREFIX}/tasks/{task_id}"  # not percent-encoded
    clock.advance(2)
    state = await client.poll(task_id)
    assert state.status is TaskStatus.RUNNING and state.progress == pytest.approx(0.5)
    clock.advance(2)
    state = await client.poll(task_id)
    assert state.status is TaskStatus.SUCCEEDED and state.progress == 1.0
    assert state.video_urls == [f"{emu.base_url}/files/{task_id}.mp4"]
    assert (await client.http.get(state.video_urls[0])).content == sample_mp4()


async def test_throttled_is_queued(emu: UseapiEmulator, client: UseapiClient) -> None:
    emu.queued_status = "THROTTLED"
    task_id = await client.submit(text_req(), idempotency_key="th")
    state = await client.poll(task_id)
    assert (state.status, state.raw_status) == (TaskStatus.QUEUED, "THROTTLED")


async def test_moderated_at_create_is_422(emu: UseapiEmulator, client: UseapiClient) -> None:
    with pytest.raises(Moderated) as info:
        await client.submit(text_req("[moderate] something"), idempotency_key="m")
    assert safe(info.value).status == 422
    assert not emu.tasks


async def test_moderated_task_failure(
    emu: UseapiEmulator, client: UseapiClient, clock: Clock
) -> None:
    emu.moderate_at_create = False
    moderated = await client.submit(text_req("[moderate] x"), idempotency_key="m")
    broken = await client.submit(text_req("[fail] x"), idempotency_key="f")
    clock.advance(10)
    state = await client.poll(moderated)
    assert state.status is TaskStatus.FAILED and state.moderated
    assert state.failure_code == "SAFETY.INPUT.TEXT"
    state = await client.poll(broken)
    assert state.status is TaskStatus.FAILED and not state.moderated
    assert state.failure == "Generation failed"


def test_error_may_be_a_string() -> None:
    state = parse_task({"taskId": "t", "status": "FAILED", "error": "moderation: blocked"})
    assert state.failure == "moderation: blocked" and state.moderated
    assert parse_task({"status": "FAILED"}).failure == "task failed"


async def test_auth_failure(emu: UseapiEmulator) -> None:
    wrong = UseapiClient(api_key="user:1-wrong", base_url=emu.base_url)
    try:
        with pytest.raises(AuthError) as info:
            await wrong.submit(image_req(), idempotency_key="a")  # fails at the upload
        assert "Unauthorized" in str(info.value) and "user:1-wrong" not in str(info.value)
        with pytest.raises(AuthError):
            await wrong.poll("user:1-runwayml:a@b.c-task:x")
    finally:
        await wrong.aclose()


async def test_out_of_credits_is_412(emu: UseapiEmulator, client: UseapiClient) -> None:
    body = {"error": "You do not have enough credits to run this task."}
    emu.fail_next("create", Fault(412, body))
    with pytest.raises(OutOfCredits) as info:
        await client.submit(text_req(), idempotency_key="c")
    assert safe(info.value).status == 412


async def test_rate_limited_with_retry_after_then_success(
    emu: UseapiEmulator, client: UseapiClient
) -> None:
    body = {"error": "You have too many tasks running or pending. Please wait for some of them."}
    emu.fail_next("create", Fault(429, body, {"Retry-After": "4"}))
    with pytest.raises(RateLimited) as info:
        await client.submit(text_req(), idempotency_key="r")
    assert safe(info.value).retry_after == 4.0
    task_id = await client.submit(text_req(), idempotency_key="r")
    assert list(emu.tasks) == [task_id]


async def test_busy_account_waits_10_to_30_seconds(
    emu: UseapiEmulator, client: UseapiClient
) -> None:
    emu.max_jobs = 1
    await client.submit(text_req("[never] a loop"), idempotency_key="first")
    with pytest.raises(RateLimited) as info:
        await client.submit(text_req(), idempotency_key="second")
    assert "is busy executing" in str(info.value)
    assert info.value.retry_after is not None and 10 <= info.value.retry_after <= 30
    assert len(emu.tasks) == 1


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_then_success(
    emu: UseapiEmulator, client: UseapiClient, status: int
) -> None:
    emu.fail_next("create", Fault(status, {"error": "Upstream failure", "code": status}))
    with pytest.raises(Transient) as info:
        await client.submit(text_req(), idempotency_key="s")
    assert not isinstance(safe(info.value), UnknownOutcome)
    task_id = await client.submit(text_req(), idempotency_key="s")
    emu.fail_next("poll", Fault(status, {"error": "Upstream failure", "code": status}))
    with pytest.raises(Transient):
        await client.poll(task_id)
    assert (await client.poll(task_id)).status is TaskStatus.QUEUED


async def test_dropped_create_is_unknown_outcome(emu: UseapiEmulator, client: UseapiClient) -> None:
    emu.fail_next("create", Fault(drop=True, process=True))
    with pytest.raises(UnknownOutcome) as info:
        await client.submit(text_req(), idempotency_key="d")
    safe(info.value)
    assert len(emu.tasks) == 1


async def test_dropped_upload_is_plain_transient(emu: UseapiEmulator, client: UseapiClient) -> None:
    emu.fail_next("upload", Fault(drop=True))
    with pytest.raises(Transient) as info:
        await client.submit(image_req(), idempotency_key="u")
    assert not isinstance(info.value, UnknownOutcome)  # nothing paid was started
    assert not emu.tasks


async def test_malformed_poll_body_is_transient(emu: UseapiEmulator, client: UseapiClient) -> None:
    task_id = await client.submit(text_req(), idempotency_key="x")
    emu.fail_next("poll", Fault(200, '{"taskId": '))
    with pytest.raises(Transient):
        await client.poll(task_id)


async def test_unknown_asset_and_task(emu: UseapiEmulator, client: UseapiClient) -> None:
    answer = await client.http.post(
        f"{emu.base_url}{PREFIX}/gen4turbo/create",
        json={"firstImage_assetId": "user:u-runwayml:e@x.io-asset:nope", "text_prompt": "p"},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    assert answer.status_code == 404
    assert answer.json() == {"error": "Unable to retrieve assetId nope (Not found.)", "code": 404}
    with pytest.raises(NotFound):
        await client.poll("user:u-runwayml:e@x.io-task:missing")


async def test_body_validation_error_shape(emu: UseapiEmulator, client: UseapiClient) -> None:
    answer = await client.http.post(
        f"{emu.base_url}{PREFIX}/gen4_5/create",
        json={"text_prompt": "p", "aspect_ratio": "9:16"},  # text-to-video is 16:9 only
        headers={"Authorization": f"Bearer {KEY}"},
    )
    assert answer.status_code == 400 and answer.json()["code"] == 400
    with pytest.raises(BadRequest):
        await client.submit(text_req(duration=7), idempotency_key="b")


async def test_reply_url_posts_parse(
    emu: UseapiEmulator, client: UseapiClient, clock: Clock
) -> None:
    receiver = await Receiver().start()
    try:
        task_id = await client.submit(text_req(), idempotency_key="cb", callback_url=receiver.url)
        await receiver.wait_for(lambda b: b["status"] == "PENDING")
        clock.advance(10)
        await receiver.wait_for(lambda b: b["status"] == "SUCCEEDED")
    finally:
        await receiver.stop()
    [create] = posts(emu, "/gen4_5/create")
    assert create["json"]["replyUrl"] == receiver.url
    bodies = [json.loads(raw) for raw, _ in receiver.posts]
    assert bodies[0]["status"] == "PENDING" and bodies[-1]["replyRef"] == "cb"
    parsed = client.parse_callback(bodies[-1])
    assert parsed is not None
    assert parsed[0] == task_id and parsed[1].status is TaskStatus.SUCCEEDED
    assert parsed[1].video_url == f"{emu.base_url}/files/{task_id}.mp4"
    assert client.parse_callback({"task": bodies[-1]}) is not None
    assert client.parse_callback({"nothing": 1}) is None


async def test_retried_submit_reuses_uploaded_assets(
    emu: UseapiEmulator, client: UseapiClient
) -> None:
    emu.fail_next("create", Fault(429, {"error": "busy", "code": 429}, {"Retry-After": "1"}))
    with pytest.raises(RateLimited):
        await client.submit(image_req(), idempotency_key="again")
    await client.submit(image_req(), idempotency_key="again")
    assert len(posts(emu, "/assets/")) == 1 and len(posts(emu, "/gen4turbo/create")) == 2


async def test_vanished_asset_is_uploaded_again(emu: UseapiEmulator, client: UseapiClient) -> None:
    await client.submit(image_req(), idempotency_key="one")
    emu.assets.clear()  # useapi lost it
    with pytest.raises(NotFound):
        await client.submit(image_req(), idempotency_key="two")
    await client.submit(image_req(), idempotency_key="two")
    assert len(posts(emu, "/assets/")) == 2
