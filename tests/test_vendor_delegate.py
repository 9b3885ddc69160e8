"""A client that delegates to another looks and acts exactly like it: the base of wrappers
that add behaviour around a vendor's calls (the metrics' timing) without touching it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.models import Media, Mode, TaskStatus, VideoRequest
from bot.vendors import VENDORS
from bot.vendors.apiframe import ApiframeClient
from bot.vendors.base import VendorClient
from bot.vendors.delegate import DECLARATIONS, DelegatingClient
from bot.vendors.local import LocalVendor
from bot.vendors.runway import OpenAIHKClient, RunwayClient
from tests.emulators.apiframe import sign
from tests.emulators.runway import RunwayEmulator
from tests.helpers import image_bytes


def client_of(cls: type[VendorClient], tmp_path: Path) -> VendorClient:
    if cls is LocalVendor:
        return LocalVendor(work_dir=tmp_path)
    return cls(api_key="k", base_url="http://127.0.0.1:9")


@pytest.mark.parametrize("vendor_id", sorted(VENDORS))
async def test_a_delegate_declares_what_its_client_declares(vendor_id: str, tmp_path: Path) -> None:
    inner = client_of(VENDORS[vendor_id], tmp_path)
    outer = DelegatingClient(inner)
    assert {"id", "capabilities", "supports_cancel", "local_results"} <= set(DECLARATIONS)
    for name in DECLARATIONS:
        assert getattr(outer, name) == getattr(inner, name), name
    assert (outer.origin, outer.base_url, outer.http) == (inner.origin, inner.base_url, inner.http)
    req = VideoRequest(
        prompt="a kite", mode=Mode.IMAGE, first_frame=Media(image_bytes(), "image/jpeg")
    )
    if Mode.IMAGE in inner.capabilities.modes():
        assert outer.spec_for(req) == inner.spec_for(req)
    await outer.aclose()
    assert inner.http.is_closed  # closing the delegate closes its client


def test_a_delegate_leaves_callbacks_to_its_client() -> None:
    signing = DelegatingClient(ApiframeClient(api_key="afk_k"))
    raw = b'{"jobId":"j","status":"PROCESSING","progress":50}'
    assert signing.verify_callback(raw, {"X-Webhook-Signature": sign("afk_k", raw)})
    assert not signing.verify_callback(raw, {"X-Webhook-Signature": sign("afk_x", raw)})
    parsed = signing.parse_callback(json.loads(raw))
    assert parsed is not None and parsed[0] == "j" and parsed[1].status is TaskStatus.RUNNING
    hook = DelegatingClient(OpenAIHKClient(api_key="k"))
    assert hook.parse_callback({"id": "t", "status": "RUNNING"}) is not None


async def test_a_delegate_submits_polls_and_cancels_through_its_client() -> None:
    async with RunwayEmulator("k", outcome="never") as emu:
        inner = RunwayClient(api_key="k", base_url=emu.base_url)
        outer = DelegatingClient(inner)
        req = VideoRequest(prompt="a fox in the snow", mode=Mode.TEXT, ratio="16:9")
        task_id = await outer.submit(req, idempotency_key="x")
        assert task_id in emu.tasks
        state = await outer.poll(task_id)
        assert state.status in (TaskStatus.QUEUED, TaskStatus.RUNNING)
        assert await outer.cancel(task_id) is True
        assert (await outer.poll(task_id)).status is TaskStatus.CANCELLED
        account = await outer.account()
        assert account is not None
        await outer.aclose()
        assert inner.http.is_closed
