"""Pieces shared by the reseller emulators (apiframe, aimlapi, useapi) and their tests.

Why: the base class stores faults and tasks; these helpers add the two behaviours the
resellers have in common, a create that may be performed before the connection drops, and
webhooks posted whenever a task visibly changes. The test kit at the bottom (a hand-driven
clock and a callback receiver) keeps the tests deterministic and off the network.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, Hashable
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web

from tests.emulators.base import EmuTask, VendorEmulator

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def iso(ts: float | None = None) -> str:
    """An ISO timestamp in the `2026-03-15T10:00:32.000Z` style the vendors use."""
    when = datetime.now(UTC) if ts is None else datetime.fromtimestamp(ts, UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def utf16_len(text: str) -> int:
    """String length as JavaScript (zod) counts it."""
    return len(text.encode("utf-16-le")) // 2


async def guarded(
    emu: VendorEmulator, kind: str, request: web.Request, handler: Handler
) -> web.StreamResponse:
    """Run `handler` under the next queued fault of `kind`.

    A fault without `process` replaces the answer; with `process` the request is handled
    first (a task may be created) and then the answer is lost or replaced.
    """
    fault = emu.take_fault(kind)
    if fault is not None and not fault.process:
        return await emu.misbehave(request, fault)
    response = await handler(request)
    if fault is not None:
        return await emu.misbehave(request, fault)
    return response


async def read_json(request: web.Request) -> Any:
    """The JSON body, or raises ValueError when it is missing or not JSON."""
    text = await request.text()
    if not text.strip():
        raise ValueError("empty body")
    return json.loads(text)


class Pusher:
    """Background loops that POST to a callback URL each time a task's visible state changes."""

    interval = 0.02

    def __init__(self, emu: VendorEmulator) -> None:
        self.emu = emu
        self.loops: set[asyncio.Task[None]] = set()
        self.session: aiohttp.ClientSession | None = None
        self.delivered: dict[str, bool] = {}  # task id -> last post was answered 2xx

    def watch(
        self,
        task: EmuTask,
        url: str,
        state: Callable[[EmuTask], tuple[Hashable, bool]],
        render: Callable[[EmuTask, Hashable], tuple[bytes, dict[str, str]] | None],
    ) -> None:
        """`state(task)` -> (change key, terminal); `render` -> (raw body, headers) or None."""
        loop = asyncio.get_running_loop().create_task(self._run(task, url, state, render))
        self.loops.add(loop)
        loop.add_done_callback(self.loops.discard)

    async def _run(
        self,
        task: EmuTask,
        url: str,
        state: Callable[[EmuTask], tuple[Hashable, bool]],
        render: Callable[[EmuTask, Hashable], tuple[bytes, dict[str, str]] | None],
    ) -> None:
        last: Hashable = None
        while True:
            key, terminal = state(task)
            if key != last:
                last = key
                message = render(task, key)
                if message is not None:
                    await self._post(task, url, *message)
            if terminal:
                return
            await asyncio.sleep(self.interval)

    async def _post(self, task: EmuTask, url: str, raw: bytes, headers: dict[str, str]) -> None:
        self.emu.callbacks.append((url, json.loads(raw)))
        if self.session is None:
            self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))
        ok = False
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            async with self.session.post(
                url, data=raw, headers={"Content-Type": "application/json", **headers}
            ) as response:
                ok = response.status < 300
        self.delivered[task.id] = ok

    async def close(self) -> None:
        for loop in list(self.loops):
            loop.cancel()
        for loop in list(self.loops):
            with contextlib.suppress(asyncio.CancelledError):
                await loop
        if self.session is not None:
            await self.session.close()


# test-side kit, shared by the three reseller test modules


class Clock:
    """A hand-driven clock for `VendorEmulator.clock`, so task phases are deterministic."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Receiver:
    """A local HTTP endpoint that records the callbacks POSTed to it (raw body, headers)."""

    def __init__(self) -> None:
        self.posts: list[tuple[bytes, dict[str, str]]] = []
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._arrived = asyncio.Event()

    async def start(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/hook"
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        self.posts.append((await request.read(), dict(request.headers)))
        self._arrived.set()
        return web.Response(status=204)

    async def wait_for(self, done: Callable[[dict[str, Any]], bool]) -> None:
        """Wait (at most five seconds) for a post whose JSON body satisfies `done`."""
        async with asyncio.timeout(5):
            while not any(done(json.loads(raw)) for raw, _ in self.posts):
                self._arrived.clear()
                await self._arrived.wait()
