"""Shared machinery for the vendor emulators: real HTTP on 127.0.0.1, a clock-driven task
store, a request log and fault injection.

Each vendor module subclasses `VendorEmulator`, adds its routes in `routes()` and renders
tasks in its own JSON dialect. The task outcome can be steered per prompt, so end-to-end
tests need no side channel:

    "[moderate]" in the prompt -> the vendor fails the task for moderation
    "[fail]"                   -> the vendor fails it for an internal reason
    "[never]"                  -> the task never finishes
    "[slow]"                   -> the task runs ten times longer than configured
"""

from __future__ import annotations

import asyncio
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import imageio_ffmpeg
from aiohttp import web


@cache
def sample_mp4() -> bytes:
    """A real one-second H.264 mp4, made once per process."""
    out = Path(tempfile.mkdtemp(prefix="emu-")) / "sample.mp4"
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-loglevel", "error", "-y", "-f", "lavfi",
            "-i", "testsrc=duration=1:size=64x64:rate=10",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "ultrafast", str(out),
        ],
        check=True,
    )  # fmt: skip
    return out.read_bytes()


def echo_body(request: web.Request) -> dict[str, Any]:
    """An error body that repeats the request's key in the forms a vendor might echo it."""
    key = request.headers.get("Authorization", "").partition(" ")[2]
    key = key or request.headers.get("X-API-Key", "")
    message = f"Invalid API key {key} (as stored: {key.upper()}; in the URL: {quote(key, safe='')})"
    return {"error": {"message": message, "code": "invalid_api_key"}, "detail": message}


@dataclass
class Fault:
    """One injected misbehaviour, used once by the next matching request."""

    status: int = 500
    body: Any = None  # dict -> JSON, str -> raw text (malformed JSON when status is 2xx)
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # read the request, then close the connection without answering
    delay: float = 0.0  # seconds to stall before answering (timeouts)
    process: bool = False  # with drop/delay: still perform the request before misbehaving


@dataclass
class EmuTask:
    id: str
    body: dict[str, Any]
    prompt: str
    created: float
    outcome: str = "succeed"  # succeed | moderate | fail | never
    cancelled: bool = False
    deleted: bool = False
    queue_seconds: float = 0.0
    run_seconds: float = 0.2
    polls: int = 0
    done_at: float | None = None  # when it turned terminal, for lag measurements

    def phase(self, now: float) -> tuple[str, float]:
        """(queued|running|succeeded|failed|cancelled, progress 0..1) at time `now`."""
        if self.cancelled:
            return "cancelled", 0.0
        age = now - self.created
        if age < self.queue_seconds:
            return "queued", 0.0
        run = age - self.queue_seconds
        if self.outcome == "never" or run < self.run_seconds:
            return "running", min(0.99, run / self.run_seconds) if self.run_seconds else 0.5
        if self.done_at is None:
            self.done_at = self.created + self.queue_seconds + self.run_seconds
        return ("succeeded" if self.outcome == "succeed" else "failed"), 1.0


class VendorEmulator:
    """Base of every vendor emulator. Subclasses define `routes()` and the JSON dialect."""

    name = "vendor"

    def __init__(
        self,
        api_key: str = "test-key",
        *,
        queue_seconds: float = 0.0,
        run_seconds: float = 0.2,
        outcome: str = "succeed",
    ) -> None:
        self.api_key = api_key
        self.queue_seconds = queue_seconds
        self.run_seconds = run_seconds
        self.outcome = outcome
        self.video: bytes | None = None  # what result URLs serve; None: sample_mp4()
        self.tasks: dict[str, EmuTask] = {}
        self.log: list[dict[str, Any]] = []
        self.faults: dict[str, list[Fault]] = {}
        self.callbacks: list[tuple[str, dict[str, Any]]] = []
        # When set, every request is answered with this status and an error body that echoes
        # the key it presented: verbatim, upper-cased and URL-quoted, as careless gateways do.
        self.echo_key: int | None = None
        self.base_url = ""
        self._runner: web.AppRunner | None = None
        self.clock: Callable[[], float] = time.monotonic

    # lifecycle

    async def start(self, port: int = 0) -> VendorEmulator:
        app = web.Application(client_max_size=64 * 1024 * 1024, middlewares=[self._middleware])
        app.add_routes(self.routes())
        app.router.add_get("/files/{name}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        sockets = site._server.sockets  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}"
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def __aenter__(self) -> VendorEmulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def routes(self) -> list[web.RouteDef]:
        raise NotImplementedError  # each emulator declares its own routes

    # fault injection

    def fail_next(self, kind: str, fault: Fault | None = None, times: int = 1) -> None:
        """Queue a fault for the next `times` requests of `kind` (create, poll, cancel, upload)."""
        self.faults.setdefault(kind, []).extend([fault or Fault()] * times)

    def take_fault(self, kind: str) -> Fault | None:
        queue = self.faults.get(kind)
        return queue.pop(0) if queue else None

    async def misbehave(self, request: web.Request, fault: Fault) -> web.StreamResponse:
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop:
            transport = request.transport
            if transport is not None:
                transport.close()
            raise asyncio.CancelledError
        if isinstance(fault.body, str):
            return web.Response(
                status=fault.status, text=fault.body, headers=fault.headers,
                content_type="application/json",
            )  # fmt: skip
        body = fault.body if fault.body is not None else {"error": "Internal server error"}
        return web.json_response(body, status=fault.status, headers=fault.headers)

    # task store

    def new_task(self, body: dict[str, Any], prompt: str, task_id: str | None = None) -> EmuTask:
        outcome = self.outcome
        for word in ("moderate", "fail", "never"):
            if f"[{word}]" in prompt:
                outcome = word
        run = self.run_seconds * (10 if "[slow]" in prompt else 1)
        task = EmuTask(
            id=task_id or str(uuid.uuid4()),
            body=body,
            prompt=prompt,
            created=self.clock(),
            outcome=outcome,
            queue_seconds=self.queue_seconds,
            run_seconds=run,
        )
        self.tasks[task.id] = task
        return task

    def video_url(self, task: EmuTask) -> str:
        return f"{self.base_url}/files/{task.id}.mp4"

    def count(self, method: str, path_prefix: str) -> int:
        return sum(
            1 for r in self.log if r["method"] == method and r["path"].startswith(path_prefix)
        )

    # plumbing

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        entry: dict[str, Any] = {
            "method": request.method,
            "path": request.path,
            "query": dict(request.query),
            "headers": dict(request.headers),
        }
        if request.can_read_body and request.content_type == "application/json":
            try:
                entry["json"] = await request.json()
            except ValueError:
                entry["json"] = None
        self.log.append(entry)
        if self.echo_key is not None:
            return web.json_response(echo_body(request), status=self.echo_key)
        return await handler(request)  # type: ignore[no-any-return]

    async def _file(self, request: web.Request) -> web.Response:
        return web.Response(body=self.video or sample_mp4(), content_type="video/mp4")
