"""Fuzzing vendor answers: missing fields, wrong types, odd statuses, garbage headers.

Every client, through its real HTTP code path (httpx with a mock transport), must turn any
answer into a `TaskState`, a task id, or a `VendorError` the engine knows how to handle;
any other exception would crash a job. Callback bodies must parse or be ignored.
"""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import VendorError
from bot.models import Media, Mode, TaskState, TaskStatus, VideoRequest
from bot.vendors.base import VendorClient
from tests.emulators.registry import CASES
from tests.helpers import image_bytes

FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
VENDOR_IDS = sorted(CASES)
KEYS = [
    "id",
    "status",
    "progress",
    "output",
    "failure",
    "failureCode",
    "jobId",
    "result",
    "error",
    "taskId",
    "task",
    "artifacts",
    "progressRatio",
    "video",
    "data",
    "url",
    "videoUrl",
    "urls",
    "message",
    "code",
    "assetId",
    "generation_id",
    "createdAt",
]
STATUSES = [
    "PENDING",
    "THROTTLED",
    "RUNNING",
    "SUCCEEDED",
    "FAILED",
    "CANCELLED",
    "queued",
    "processing",
    "completed",
    "failed",
    "cancelled",
    "succeeded",
    "running",
    "pending",
    "generating",
    "waiting",
    "active",
    "COMPLETED",
    "",
    "??",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(STATUSES),
    st.just("https://cdn.example.com/v.mp4"),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=6)
    ),
    max_leaves=20,
)
TASKS = st.dictionaries(st.sampled_from(KEYS), JSON, max_size=8)
BODIES = st.one_of(TASKS, st.builds(lambda t: {"task": t}, TASKS), JSON)
HEADERS = st.dictionaries(
    st.sampled_from(["Retry-After", "retry-after-ms", "Content-Type"]),
    st.one_of(
        st.sampled_from(
            [
                "1",
                "0",
                "-5",
                "1e9",
                "nan",
                "inf",
                "Wed, 21 Oct 2015 07:28:00 GMT",
                "tomorrow",
                "",
                "application/json",
            ]
        ),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789 ,:-", max_size=30),
    ),
    max_size=2,
)
STATUS_CODES = st.sampled_from(
    [200, 200, 200, 201, 202, 204, 400, 401, 402, 403, 404, 409, 412, 422, 429, 500, 502, 503, 504]
)


def raw(body: Any) -> bytes:
    return json.dumps(body, allow_nan=True).encode()


RAWS = st.one_of(
    BODIES.map(raw),
    st.binary(max_size=64),
    st.sampled_from([b"", b"{", b"null", b"[]", b'{"status":', b"<html>502</html>"]),
)


def client(vendor_id: str, status: int, body: bytes, headers: dict[str, str]) -> VendorClient:
    def handler(request: httpx.Request) -> httpx.Response:
        if "/assets" in request.url.path:  # useapi uploads first; the create is fuzzed
            return httpx.Response(200, json={"assetId": "user:1-runwayml-asset-1"})
        return httpx.Response(status, content=body, headers=headers)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    cls = CASES[vendor_id][1]
    return cls(api_key="k", base_url="https://vendor.test", http=http)


def request_for(vendor: VendorClient) -> VideoRequest:
    media = Media(image_bytes(), "image/jpeg", "i.jpg")
    spec = vendor.capabilities.pick(Mode.IMAGE, None)
    assert spec is not None
    return VideoRequest(
        prompt="a fox",
        mode=Mode.IMAGE,
        model=spec.name,
        duration=spec.durations[0],
        ratio=spec.ratios[0],
        first_frame=media,
    )


def check_state(state: TaskState) -> None:
    assert isinstance(state.status, TaskStatus)
    assert state.progress is None or (
        isinstance(state.progress, float) and 0.0 <= state.progress <= 1.0
    )
    assert not (isinstance(state.progress, float) and math.isnan(state.progress))
    assert all(isinstance(u, str) and u for u in state.video_urls)
    assert state.failure is None or isinstance(state.failure, str)


@given(st.sampled_from(VENDOR_IDS), STATUS_CODES, RAWS, HEADERS)
@FUZZ
def test_poll_answers_a_state_or_a_vendor_error(
    vendor_id: str, status: int, body: bytes, headers: dict[str, str]
) -> None:
    async def run() -> None:
        vendor = client(vendor_id, status, body, headers)
        try:
            check_state(await vendor.poll("task-1"))
        except VendorError as exc:
            assert exc.message
        finally:
            await vendor.http.aclose()

    asyncio.run(run())


@given(st.sampled_from(VENDOR_IDS), STATUS_CODES, RAWS, HEADERS)
@FUZZ
def test_submit_answers_a_task_id_or_a_vendor_error(
    vendor_id: str, status: int, body: bytes, headers: dict[str, str]
) -> None:
    async def run() -> None:
        vendor = client(vendor_id, status, body, headers)
        try:
            task_id = await vendor.submit(request_for(vendor), idempotency_key="job-1")
            assert isinstance(task_id, str) and task_id
        except VendorError as exc:
            assert exc.message
        finally:
            await vendor.http.aclose()

    asyncio.run(run())


@given(st.sampled_from(VENDOR_IDS), BODIES)
@FUZZ
def test_callback_bodies_parse_or_are_ignored(vendor_id: str, body: Any) -> None:
    vendor = CASES[vendor_id][1](api_key="k", base_url="https://vendor.test")
    if not isinstance(body, dict):
        return  # the callback server refuses non-objects before a client sees them
    parsed = vendor.parse_callback(body)
    if parsed is not None:
        task_id, state = parsed
        assert isinstance(task_id, str) and task_id
        check_state(state)
