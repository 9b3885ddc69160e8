"""Webhook mode: a small aiohttp server that takes Telegram's POSTs and feeds PTB's queue.

PTB's own webhook server needs tornado; aiohttp is already a dependency. The secret token
header is checked on every request, so only Telegram can inject updates.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any

from aiohttp import web
from telegram import Update

from bot.redact import add_secret

log = logging.getLogger("videobot.telegram")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024


def derived_secret(token: str) -> str:
    """A stable secret for the webhook when TELEGRAM_WEBHOOK_SECRET is unset."""
    return hashlib.sha256(b"videobot-webhook:" + token.encode()).hexdigest()


class WebhookServer:
    def __init__(self, app: Any, *, path: str, secret: str, host: str, port: int) -> None:
        self.app = app  # the PTB Application: its bot parses, its update_queue runs handlers
        self.path = path or "/"
        self.secret = secret
        # Whoever knows it can post updates as any user: PTB logs it with setWebhook at DEBUG.
        add_secret(secret)
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        server = web.Application(client_max_size=MAX_UPDATE_BYTES)
        server.router.add_post(self.path, self._handle)
        self._runner = web.AppRunner(server, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server_obj = site._server
        if self.port == 0 and server_obj is not None:
            sockets = getattr(server_obj, "sockets", None) or []
            if sockets:
                self.port = int(sockets[0].getsockname()[1])
        log.info("webhook server listening on %s:%d%s", self.host, self.port, self.path)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            return web.Response(status=403)
        try:
            data = await request.json()
            update = Update.de_json(data, self.app.bot)
        except Exception:
            log.warning("webhook: ignoring a malformed update")
            return web.Response(status=200)  # a 4xx would make Telegram resend it forever
        if update is not None:
            await self.app.update_queue.put(update)
        return web.Response(status=200)
