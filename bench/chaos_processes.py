"""The chaos run with several bot processes on one PostgreSQL database (`bench.chaos
--processes 3`): Telegram in webhook mode, every process serving the webhook, and this
module playing both Telegram's webhook delivery and the operator's load balancer.

Updates the run pushes to the Bot API emulator are taken from it in order and POSTed to
the processes' webhooks in turn; a process that is down (killed, restarting) is skipped
and the update goes to the next. Telegram resends an update until a webhook answers 200,
so does this: an update is dropped only once a process has answered it. One that a process
took and then lost to a SIGKILL before handling it is a command lost before its job was
reserved (no charge), as with one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Callable, Iterator

import httpx

from tests.botapi_emulator import BotAPIEmulator

SECRET = "chaos-webhook-secret"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookForwarder:
    """Hands the emulator's pending updates to the live processes' webhooks, in turn."""

    def __init__(self, tg: BotAPIEmulator, urls: list[str], alive: Callable[[int], bool]) -> None:
        self.tg = tg
        self.urls = urls
        self.alive = alive
        self.forwarded = 0
        self.retried = 0

    async def run(self) -> None:
        """Until cancelled."""
        turn = itertools.cycle(range(len(self.urls)))
        async with httpx.AsyncClient(timeout=10.0) as http:
            while True:
                update = self.tg.next_update()
                if update is None:
                    await asyncio.sleep(0.02)
                    continue
                while not await self._post(http, update, turn):
                    self.retried += 1
                    await asyncio.sleep(0.1)
                self.tg.drop_update(update)
                self.forwarded += 1

    async def _post(
        self, http: httpx.AsyncClient, update: dict[str, object], turn: Iterator[int]
    ) -> bool:
        for _ in range(len(self.urls)):
            n = next(turn)
            if not self.alive(n):
                continue
            with contextlib.suppress(httpx.HTTPError):
                answer = await http.post(self.urls[n], json=update, headers={SECRET_HEADER: SECRET})
                if answer.status_code == 200:
                    return True
        return False
