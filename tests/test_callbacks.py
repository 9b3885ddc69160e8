"""The vendor callback server: a callback wakes the poller; it never decides the outcome."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.callbacks import CallbackServer, parse_listen
from bot.bootstrap import Core
from bot.commands import read
from bot.models import JobState, Media, UserRef
from bot.service import Incoming
from bot.vendors.apiframe import ApiframeClient
from bot.vendors.runway import OpenAIHKClient
from tests.emulators.apiframe import ApiframeEmulator, sign
from tests.emulators.runway import RunwayEmulator
from tests.helpers import RecordingSink, image_bytes, make_core, wait_until
from tests.test_architecture import import_graph

USER = UserRef("test", "1")
Rig = tuple[Core, CallbackServer]


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


@asynccontextmanager
async def openai_hk(tmp_path: Path, emu: RunwayEmulator, **overrides: Any) -> AsyncIterator[Rig]:
    """A core on the openai-hk emulator with its callback server, both stopped at the end."""
    vendor = OpenAIHKClient(api_key="k", base_url=emu.base_url)
    core = await make_core(tmp_path, vendors=[vendor], video_vendors=["openai-hk"], **overrides)
    server = await serve(core)
    try:
        yield core, server
    finally:
        await server.stop()
        await core.aclose()


async def start_polling(core: Core, emu: RunwayEmulator) -> tuple[str, str]:
    """Start the core and a job whose task never ends; (job id, task id) once it polls."""
    await core.start()
    photo = Media(image_bytes(), "image/jpeg")
    reply = await core.service.handle(Incoming(USER, read("/video wave"), images=[photo]))
    assert reply.job is not None
    await wait_until(lambda: len(emu.tasks) == 1)
    (task_id,) = emu.tasks
    await wait_until(lambda: core.engine.wake("openai-hk", task_id))  # now polling
    await wait_until(lambda: emu.tasks[task_id].polls == 1)
    return reply.job.id, task_id


def test_the_callback_server_asks_the_client_not_its_class() -> None:
    """Signature checks live in the vendor clients: the server imports none of them."""
    imported = import_graph()["adapters.callbacks"]
    assert sorted(m for m in imported if m.startswith("bot.vendors")) in ([], ["bot.vendors.base"])
    unsigned = OpenAIHKClient(api_key="k")  # takes no signed callbacks: a wake-up hint only
    assert unsigned.verify_callback(b"{}", {})


def test_listen_addresses() -> None:
    assert parse_listen("0.0.0.0:8090") == ("0.0.0.0", 8090)
    assert parse_listen("[::]:9000") == ("::", 9000)
    assert parse_listen(":7000") == ("0.0.0.0", 7000)
    with pytest.raises(ValueError):
        parse_listen("8090")


async def test_notify_hook_delivers_long_before_the_next_poll(tmp_path: Path) -> None:
    async with (
        RunwayEmulator("k", flavour="openai-hk", run_seconds=0.3) as emu,
        openai_hk(tmp_path, emu, video_poll_interval=30, video_job_timeout=120) as (core, server),
    ):
        sink = RecordingSink()
        core.engine.subscribe("test", sink)
        await core.start()
        started = time.monotonic()
        photo = Media(image_bytes(), "image/jpeg")
        reply = await core.service.handle(Incoming(USER, read("/video wave"), images=[photo]))
        assert reply.job is not None, reply.text
        await wait_until(lambda: len(sink.delivered) == 1, timeout=10)
        assert time.monotonic() - started < 10  # the 30 s poll tick never came
        body = next(r["json"] for r in emu.log if r["method"] == "POST")
        assert body["notify_hook"] == f"{core.settings.callback_base_url}/callbacks/openai-hk"
        assert server.received == 1 and server.woken == 1
        job = await core.store.get_job(reply.job.id)
        assert job is not None and job.state is JobState.DELIVERED


async def test_a_forged_success_is_polled_not_believed(tmp_path: Path) -> None:
    async with (
        RunwayEmulator("k", flavour="openai-hk", outcome="never") as emu,
        openai_hk(tmp_path, emu, video_poll_interval=30) as (core, _),
    ):
        sink = RecordingSink()
        core.engine.subscribe("test", sink)
        job_id, task_id = await start_polling(core, emu)
        forged = {"id": task_id, "status": "SUCCEEDED", "output": ["https://evil.test/x.mp4"]}
        url = f"{core.settings.callback_base_url}/callbacks/openai-hk"
        assert await post(url, json.dumps(forged).encode()) == 200
        await wait_until(lambda: emu.tasks[task_id].polls == 2)  # woken: it polled again
        assert sink.delivered == []
        job = await core.store.get_job(job_id)
        assert job is not None and job.state is JobState.RUNNING


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
            bare = {"X-Webhook-Signature": signed["X-Webhook-Signature"].removeprefix("sha256=")}
            assert await post(f"{base}/apiframe", good, bare) == 200  # as apiframe's SDK accepts
            assert await post(f"{base}/runway", good) == 404
            for raw in (b"{", b"[1, 2]", b'{"hello": "world"}'):
                assert (
                    await post(
                        f"{base}/apiframe", raw, {"X-Webhook-Signature": sign(emu.api_key, raw)}
                    )
                    == 400
                )
            assert server.received == 2 and server.woken == 0  # no job polls task j1
        finally:
            await server.stop()
            await core.aclose()


async def answer(url: str, raw: bytes) -> tuple[int, bytes]:
    async with aiohttp.ClientSession() as session, session.post(url, data=raw) as response:
        return response.status, await response.read()


async def test_forged_callbacks_wake_a_task_at_most_once_per_interval(tmp_path: Path) -> None:
    """A flood of callbacks for a live task: one poll now, one trailing, not one per post;
    the answer is the same for a live task as for one nobody knows."""
    async with (
        RunwayEmulator("k", flavour="openai-hk", outcome="never") as emu,
        openai_hk(tmp_path, emu, video_poll_interval=60) as (core, server),
    ):
        _, task_id = await start_polling(core, emu)
        url = f"{core.settings.callback_base_url}/callbacks/openai-hk"
        live = json.dumps({"id": task_id, "status": "RUNNING"}).encode()
        unknown = json.dumps({"id": "no-such-task", "status": "RUNNING"}).encode()
        async with aiohttp.ClientSession() as session:
            for _ in range(300):
                async with session.post(url, data=live) as response:
                    assert response.status == 200
        await wait_until(lambda: emu.tasks[task_id].polls >= 2)  # woken at once
        await asyncio.sleep(server.wake_interval + 0.5)  # the trailing wake, if any
        assert emu.tasks[task_id].polls <= 3
        assert await answer(url, live) == await answer(url, unknown)


async def test_malformed_bodies_get_a_short_400_and_no_health_route(tmp_path: Path) -> None:
    async with (
        RunwayEmulator("k", flavour="openai-hk") as emu,
        openai_hk(tmp_path, emu) as (core, _),
    ):
        base = f"{core.settings.callback_base_url}/callbacks"
        deep_list = b"[" * 200_000
        deep_object = b'{"id":' * 100_000 + b"1" + b"}" * 100_000
        for raw in (deep_list, deep_object, b"\xff\xfe", b"{" * 10):
            status, body = await answer(f"{base}/openai-hk", raw)
            assert status == 400 and len(body) < 100, (status, body[:200])
        status, body = await answer(f"{base}/openai-hk", b"x" * (2 * 1024 * 1024))
        assert status == 413 and len(body) < 100
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{base}/health") as response,
        ):
            assert response.status in (404, 405)
            assert b"received" not in await response.read()
