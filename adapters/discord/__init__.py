"""The Discord adapter: slash commands, an "Animate with video" menu, `!video` replies.

Runs beside Telegram on the same core. `start()` logs in (which registers the commands)
and opens the gateway connection in a background task.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import discord

from adapters.base import load_settings
from adapters.discord.client import make_bot
from adapters.discord.delivery import DiscordSink
from adapters.discord.settings import DiscordSettings
from adapters.settings_keys import discord_keys
from bot.bootstrap import ConfigError, Core

__all__ = ["DiscordAdapter", "DiscordSettings"]

log = logging.getLogger("videobot.discord")


class DiscordAdapter:
    name = "discord"

    def __init__(
        self,
        core: Core,
        settings: DiscordSettings | None = None,
        *,
        gateway: bool = True,
        clock: Callable[[], float] = time.time,
        progress_interval: float = 3.0,
        media_hosts: frozenset[str] = frozenset(),
    ) -> None:
        self.core = core
        self.settings = (
            settings if settings is not None else load_settings(DiscordSettings, "Discord")
        )
        core.service.live.follow(self.settings, discord_keys())  # changeable by /settings
        self.done = asyncio.Event()
        self.gateway = gateway
        self.bot = make_bot(
            core,
            self.settings,
            clock=clock,
            progress_interval=progress_interval,
            media_hosts=media_hosts,
        )
        self._task: asyncio.Task[None] | None = None

    @property
    def sink(self) -> DiscordSink:
        return self.bot.sink

    async def start(self) -> None:
        token = self.core.settings.discord_bot_token
        if token is None or not token.get_secret_value():
            raise ConfigError("DISCORD_BOT_TOKEN is not set")
        self.core.engine.subscribe("discord", self.sink)
        self.core.notices.register("discord", self._direct_message)
        try:
            await self.bot.login(token.get_secret_value())
        except discord.LoginFailure:
            raise ConfigError("Discord refused DISCORD_BOT_TOKEN; copy it again") from None
        if self.gateway:
            self._task = asyncio.create_task(self._connect(), name="discord-gateway")

    async def _direct_message(self, user_id: str, text: str) -> None:
        """An admin notice, in a direct message."""
        user = await self.bot.fetch_user(int(user_id))
        await user.send(text)

    async def _connect(self) -> None:
        try:
            await self.bot.connect(reconnect=True)
        except discord.PrivilegedIntentsRequired:
            log.error(
                "Discord refused the message content intent. Enable it for the bot in the "
                "developer portal (Bot > Privileged Gateway Intents), or set DISCORD_PREFIX=off "
                "to serve slash commands and @mentions only."
            )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("the Discord gateway connection ended")

    async def stop(self) -> None:
        await self.sink.aclose()
        if not self.bot.is_closed():
            await self.bot.close()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
