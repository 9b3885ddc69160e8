"""A minimal Discord gateway on 127.0.0.1: enough for discord.py to connect, identify and
be READY, so tests can see which shards a process asks for.

    gateway = await FakeGateway().start()
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway.url)
    ... bot.connect() ...
    await gateway.wait_for_identify(1)   # the IDENTIFY payloads, `shard` = [id, count]

It speaks the JSON encoding with `zlib-stream` compression (what discord.py asks for when
no zstd module is installed): HELLO, heartbeat ACKs, READY with no guilds for each
IDENTIFY. Nothing else is dispatched.
"""

from __future__ import annotations

import asyncio
import json
import zlib
from typing import Any

from aiohttp import WSMsgType, web

HELLO, IDENTIFY, HEARTBEAT, HEARTBEAT_ACK, DISPATCH = 10, 2, 1, 11, 0


class FakeGateway:
    def __init__(self, bot_user: dict[str, Any], application_id: int) -> None:
        self.bot_user = bot_user
        self.application_id = application_id
        self.identifies: list[dict[str, Any]] = []
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Condition()

    async def start(self) -> FakeGateway:
        app = web.Application()
        app.router.add_get("/", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"ws://127.0.0.1:{port}/"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_for_identify(self, count: int, timeout: float = 15.0) -> list[dict[str, Any]]:
        async def enough() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: len(self.identifies) >= count)

        await asyncio.wait_for(enough(), timeout)
        return self.identifies[:count]

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        zipped = request.query.get("compress") == "zlib-stream"
        packer = zlib.compressobj()
        sequence = 0

        async def send(payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            if zipped:
                await ws.send_bytes(packer.compress(data) + packer.flush(zlib.Z_SYNC_FLUSH))
            else:
                await ws.send_str(data.decode())

        await send({"op": HELLO, "d": {"heartbeat_interval": 45000}, "s": None, "t": None})
        async for message in ws:
            if message.type is not WSMsgType.TEXT:
                continue
            payload = json.loads(message.data)
            if payload["op"] == HEARTBEAT:
                await send({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
            elif payload["op"] == IDENTIFY:
                identify = payload["d"]
                async with self._changed:
                    self.identifies.append(identify)
                    self._changed.notify_all()
                sequence += 1
                ready = {
                    "v": 10,
                    "user": self.bot_user,
                    "guilds": [],
                    "session_id": f"session-{len(self.identifies)}",
                    "resume_gateway_url": self.url,
                    "application": {"id": str(self.application_id), "flags": 0},
                }
                if "shard" in identify:
                    ready["shard"] = identify["shard"]
                await send({"op": DISPATCH, "t": "READY", "s": sequence, "d": ready})
        return ws
