"""Vendor callbacks: an HTTP endpoint that turns "your task changed" into an immediate poll.

Vendors that can call back (openai-hk's `notify_hook`, apiframe's webhooks, useapi's
`replyUrl`) are handed `{CALLBACK_BASE_URL}/callbacks/{vendor_id}` when a job is submitted.
This server receives those posts at `POST /callbacks/{vendor_id}`, parses them with that
vendor client's `parse_callback`, lets the client check its signature (`verify_callback`:
apiframe signs its webhooks), and wakes the job's poller.

The body is never trusted to mark a task done: anyone can post to a public URL, so a
callback only makes the engine poll the vendor now instead of at its next tick, and the
poll answer decides. A lost or forged callback therefore costs nothing but a poll, and
`WakeLimiter` bounds even that: one wake per task per interval, however many posts come.

Being public, the server says no more than it must: every understood callback gets the
same answer whether or not its task is known, there is no health route (liveness is the
ops server's /healthz, on METRICS_PORT, which the operator keeps private), and a malformed
body (not JSON, nested past any sane depth, too large) gets a short 4xx, never a 500.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

from adapters.wake_limit import WakeLimiter
from bot.jobs import JobEngine

log = logging.getLogger("videobot.callbacks")

MAX_BODY = 1024 * 1024  # callbacks carry task JSON, never media


def parse_listen(listen: str) -> tuple[str, int]:
    """("0.0.0.0", 8090) for "0.0.0.0:8090"; "[::]:8090" and ":8090" work too."""
    host, sep, port = listen.strip().rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"CALLBACK_LISTEN must look like HOST:PORT, not {listen!r}")
    return host.strip("[]") or "0.0.0.0", int(port)


class CallbackServer:
    """The aiohttp server for `/callbacks/{vendor_id}`, run inside the bot process."""

    def __init__(
        self, engine: JobEngine, listen: str = "127.0.0.1:8090", wake_interval: float = 2.0
    ) -> None:
        self.engine = engine
        self.host, self.port = parse_listen(listen)
        self.wake_interval = wake_interval
        self.received = 0  # callbacks that named a task (for metrics and tests)
        self._limiter = WakeLimiter(engine.wake, wake_interval)
        self._runner: web.AppRunner | None = None

    @property
    def woken(self) -> int:
        """Wakes that found a job polling its task (for metrics and tests)."""
        return self._limiter.woken

    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post("/callbacks/{vendor_id}", self.handle)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = int(sockets[0].getsockname()[1])  # the real port when 0 was asked
        log.info("vendor callbacks on http://%s:%d/callbacks/{vendor}", self.host, self.port)

    async def stop(self) -> None:
        self._limiter.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def handle(self, request: web.Request) -> web.Response:
        vendor_id = request.match_info["vendor_id"]
        vendor = self.engine.vendors.get(vendor_id)
        if vendor is None:
            return _answer(404, "unknown vendor")
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _answer(413, "body too large")
        if not vendor.verify_callback(raw, request.headers):
            log.warning("callback for %s with a bad signature; ignored", vendor_id)
            return _answer(401, "bad signature")
        try:
            body: Any = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: nested past the parser's depth
            return _answer(400, "body is not JSON")
        if not isinstance(body, dict):
            return _answer(400, "body is not a JSON object")
        try:
            parsed = vendor.parse_callback(body)
        except RecursionError:
            parsed = None
        except Exception:  # a client bug must not turn into a vendor retry storm
            log.exception("callback for %s could not be parsed", vendor_id)
            parsed = None
        if parsed is None:
            return _answer(400, "not a task callback")
        task_id, state = parsed
        self.received += 1
        self._limiter.wake(vendor_id, task_id)
        log.debug("callback %s task %s says %s", vendor_id, task_id, state.status)
        return web.json_response({"ok": True})  # the same whether or not the task is known


def _answer(status: int, message: str) -> web.Response:
    return web.json_response({"ok": False, "error": message}, status=status)
