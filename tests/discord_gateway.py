"""A minimal Discord gateway, served by FakeDiscord at /gateway/: enough for discord.py to
connect, identify and be READY, so tests can see which shards a process asks for.

    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    ... bot.connect() ...
    await fake.wait_for_identify(1)   # the IDENTIFY payloads, `shard` = [id, count]

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


class GatewayMixin:
    """The gateway side of FakeDiscord (which calls `_gateway_init` and routes /gateway/)."""

    base_url: str
    identifies: list[dict[str, Any]]

    def _gateway_init(self, bot_user: dict[str, Any], application_id: int) -> None:
        self.gateway_user = bot_user
        self.gateway_application = application_id
        self.identifies = []
        self._identified = asyncio.Condition()

    @property
    def gateway_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/gateway/"

    async def wait_for_identify(self, count: int, timeout: float = 15.0) -> list[dict[str, Any]]:
        async def enough() -> None:
            async with self._identified:
                await self._identified.wait_for(lambda: len(self.identifies) >= count)

        await asyncio.wait_for(enough(), timeout)
        return self.identifies[:count]

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
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
                async with self._identified:
                    self.identifies.append(identify)
                    self._identified.notify_all()
                sequence += 1
                ready = {
                    "v": 10,
                    "user": self.gateway_user,
                    "guilds": [],
                    "session_id": f"session-{len(self.identifies)}",
                    "resume_gateway_url": self.gateway_url,
                    "application": {"id": str(self.gateway_application), "flags": 0},
                }
                if "shard" in identify:
                    ready["shard"] = identify["shard"]
                await send({"op": DISPATCH, "t": "READY", "s": sequence, "d": ready})
        return ws
