"""The vendor callback server: a callback wakes the poller; it never decides the outcome."""

from __future__ import annotations

import json
import time
from pathlib import Path

import aiohttp
import pytest

from adapters.callbacks import CallbackServer, parse_listen
from bot.bootstrap import Core
from bot.models import JobState, Media, UserRef
from bot.service import Incoming
from bot.vendors.apiframe import ApiframeClient
from bot.vendors.runway import OpenAIHKClient
from tests.emulators.apiframe import ApiframeEmulator, sign
from tests.emulators.runway import RunwayEmulator
from tests.helpers import RecordingSink, image_bytes, make_core, wait_until

USER = UserRef("test", "1")


async def serve(core: Core) -> CallbackServer:
    server = CallbackServer(core.engine, "127.0.0.1:0")
    await server.start()
    core.settings.callback_base_url = f"http://127.0.0.1:{server.port}"
    return server


async def post(url: str, raw: bytes, headers: dict[str, str] | None = None) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=raw, headers=headers or {}) as response,
    ):
        return response.status


def test_listen_addresses() -> None:
    assert parse_listen("0.0.0.0:8090") == ("0.0.0.0", 8090)
    assert parse_listen("[::]:9000") == ("::", 9000)
    assert parse_listen(":7000") == ("0.0.0.0", 7000)
    with pytest.raises(ValueError):
        parse_listen("8090")


async def test_notify_hook_delivers_long_before_the_next_poll(tmp_path: Path) -> None:
    async with RunwayEmulator("k", flavour="openai-hk", run_seconds=0.3) as emu:
        vendor = OpenAIHKClient(api_key="k", base_url=emu.base_url)
        core = await make_core(
            tmp_path, vendors=[vendor], video_vendors=["openai-hk"],
            video_poll_interval=30, video_job_timeout=120,
        )  # fmt: skip
        server = await serve(core)
        try:
            sink = RecordingSink()
            core.engine.subscribe("test", sink)
            await core.start()
            started = time.monotonic()
            photo = Media(image_bytes(), "image/jpeg")
            reply = await core.service.handle(Incoming(USER, "/video wave", images=[photo]))
            assert reply.job is not None, reply.text
            await wait_until(lambda: len(sink.delivered) == 1, timeout=10)
            assert time.monotonic() - started < 10  # the 30 s poll tick never came
            body = next(r["json"] for r in emu.log if r["method"] == "POST")
            assert body["notify_hook"] == f"{core.settings.callback_base_url}/callbacks/openai-hk"
            assert server.received == 1 and server.woken == 1
            job = await core.store.get_job(reply.job.id)
            assert job is not None and job.state is JobState.DELIVERED
        finally:
            await server.stop()
            await core.aclose()


async def test_a_forged_success_is_polled_not_believed(tmp_path: Path) -> None:
    async with RunwayEmulator("k", flavour="openai-hk", outcome="never") as emu:
        vendor = OpenAIHKClient(api_key="k", base_url=emu.base_url)
        core = await make_core(
            tmp_path, vendors=[vendor], video_vendors=["openai-hk"], video_poll_interval=30
        )
        server = await serve(core)
        try:
            sink = RecordingSink()
            core.engine.subscribe("test", sink)
            await core.start()
            photo = Media(image_bytes(), "image/jpeg")
            reply = await core.service.handle(Incoming(USER, "/video wave", images=[photo]))
            assert reply.job is not None
            await wait_until(lambda: len(emu.tasks) == 1)
            (task_id,) = emu.tasks
            forged = {"id": task_id, "status": "SUCCEEDED", "output": ["https://evil.test/x.mp4"]}
            url = f"{core.settings.callback_base_url}/callbacks/openai-hk"
            await wait_until(lambda: core.engine.wake("openai-hk", task_id))  # now polling
            await wait_until(lambda: emu.tasks[task_id].polls == 1)
            assert await post(url, json.dumps(forged).encode()) == 200
            await wait_until(lambda: emu.tasks[task_id].polls == 2)  # woken: it polled again
            assert sink.delivered == []
            job = await core.store.get_job(reply.job.id)
            assert job is not None and job.state is JobState.RUNNING
        finally:
            await server.stop()
            await core.aclose()


async def test_bad_bodies_and_signatures_are_refused(tmp_path: Path) -> None:
    async with ApiframeEmulator() as emu:
        vendor = ApiframeClient(api_key=emu.api_key, base_url=emu.base_url)
        core = await make_core(tmp_path, vendors=[vendor], video_vendors=["apiframe"])
        server = await serve(core)
        base = f"{core.settings.callback_base_url}/callbacks"
        try:
            good = json.dumps({"event": "completed", "jobId": "j1", "status": "COMPLETED"}).encode()
            assert (
                await post(f"{base}/apiframe", good, {"X-Webhook-Signature": sign("x", good)})
                == 401
            )
            assert await post(f"{base}/apiframe", good) == 401
            signed = {"X-Webhook-Signature": sign(emu.api_key, good)}
            assert await post(f"{base}/apiframe", good, signed) == 200
            assert await post(f"{base}/runway", good) == 404
            for raw in (b"{", b"[1, 2]", b'{"hello": "world"}'):
                assert (
                    await post(
                        f"{base}/apiframe", raw, {"X-Webhook-Signature": sign(emu.api_key, raw)}
                    )
                    == 400
                )
            assert server.received == 1 and server.woken == 0  # no job polls task j1
        finally:
            await server.stop()
            await core.aclose()
