"""Long polling with several bot processes: only the leader polls.

Telegram gives a bot's updates to one `getUpdates` consumer at a time (a second one makes
both fail with 409 Conflict). On PostgreSQL the processes elect one through an advisory lock
keyed on a hash of the bot token (two bots on one database never share it, and the token
never leaves this process); the leader polls, the others deliver their jobs and answer
through the send methods, which any process may call, and ask for the lead every ~2 s, so
one of them polls within seconds of the leader dying. One process on SQLite simply polls.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from telegram.error import TelegramError

from adapters.telegram.translate import ALLOWED_UPDATES
from bot.storage.leadership import Leadership, leadership

log = logging.getLogger("videobot.telegram")


def polling_scope(token: str) -> bytes:
    """What the processes of this bot elect a poller for (hashed into the lock's key)."""
    return b"videobot:telegram-polling:" + token.encode()


class Poller:
    """Starts and stops the Application's long polling (the updater can start again)."""

    def __init__(
        self, app: Any, *, timeout: float, on_error: Callable[[TelegramError], None]
    ) -> None:
        self.app = app
        self.timeout = timeout
        self.on_error = on_error

    @property
    def polling(self) -> bool:
        return bool(self.app.updater is not None and self.app.updater.running)

    async def start(self) -> None:
        assert self.app.updater is not None
        await self.app.updater.start_polling(
            timeout=int(self.timeout),
            allowed_updates=ALLOWED_UPDATES,
            error_callback=self.on_error,
        )
        log.info("telegram: long polling")

    async def stop(self) -> None:
        if self.polling:
            await self.app.updater.stop()
            log.info("telegram: stopped polling")


def polling_leadership(poller: Poller, database_url: str, token: str) -> Leadership | None:
    """The election of the process that polls (see the module's doc); None on SQLite."""
    return leadership(
        database_url,
        polling_scope(token),
        lead=poller.start,
        follow=poller.stop,
        what="Telegram long polling",
    )
