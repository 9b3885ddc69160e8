"""The discord.py client: intents, the command tree with its place check, the cogs, sync.

With DISCORD_SHARD_COUNT the gateway is split across processes: `ShardedVideoBot` runs this
process's DISCORD_SHARD_IDS, and only one process registers the commands. Buttons and slash
commands reach whichever process runs the server's shard, and deliveries go over REST, so
every process serves and delivers alike.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord.act import ActCog, can_act
from adapters.discord.bridge import CoreBridge
from adapters.discord.cog import VideoCog
from adapters.discord.delivery import DiscordSink
from adapters.discord.group_budget import GroupBudgetCog
from adapters.discord.menu import MenuCog
from adapters.discord.payments import PaymentsCog
from adapters.discord.prefix import PrefixCog
from adapters.discord.quick import QuickCog
from adapters.discord.settings import DiscordSettings
from adapters.discord.translate import CatalogueTranslator, channel_ids, locale_of, text
from adapters.discord.views import ButtonHandler, JobButton, ShowMenu, report_failure
from bot.bootstrap import Core

log = logging.getLogger("videobot.discord")


class VideoTree(app_commands.CommandTree["VideoBot"]):
    """Refuses commands outside the allowed servers and channels, and reports failures."""

    async def interaction_check(self, interaction: discord.Interaction[VideoBot], /) -> bool:
        ids = channel_ids(interaction.channel) if interaction.channel else ()
        await self.client.core.service.live.refresh()  # the allowed places may have changed
        if self.client.settings.allows(interaction.guild_id, (*ids, interaction.channel_id)):
            return True
        if interaction.type is discord.InteractionType.autocomplete:
            await interaction.response.autocomplete([])  # suggestions take no message
            return False
        message = text(locale_of(interaction.locale), "not_enabled_here")
        await interaction.response.send_message(message, ephemeral=True)
        return False

    async def on_error(
        self, interaction: discord.Interaction[VideoBot], error: app_commands.AppCommandError, /
    ) -> None:
        name = interaction.command.name if interaction.command else "?"
        log.error("command %s failed", name, exc_info=error)
        await report_failure(interaction)


class VideoBot(commands.Bot):
    """One bot per process; the cogs hold the features, the sink the job updates."""

    def __init__(
        self,
        core: Core,
        settings: DiscordSettings,
        *,
        clock: Callable[[], float] = time.time,
        progress_interval: float = 3.0,
        media_hosts: frozenset[str] = frozenset(),
    ) -> None:
        intents = discord.Intents.default()
        # Privileged: needed to read `!video …`; mentions and DMs carry content without it.
        intents.message_content = settings.prefix_enabled
        prefix = (
            commands.when_mentioned_or(settings.prefix)
            if settings.prefix_enabled
            else commands.when_mentioned
        )
        super().__init__(
            command_prefix=prefix,
            help_command=None,
            case_insensitive=True,
            intents=intents,
            tree_cls=VideoTree,
            allowed_contexts=app_commands.AppCommandContext(
                guild=True, dm_channel=settings.allow_dms, private_channel=False
            ),
            allowed_installs=app_commands.AppInstallationType(guild=True, user=False),
            allowed_mentions=discord.AllowedMentions.none(),
            **shard_options(settings),
        )
        self.core = core
        self.settings = settings
        self.sink = DiscordSink(
            self,
            clock=clock,
            interval=progress_interval,
            result_buttons=core.service.result_buttons,
            work_dir=core.settings.work_dir / "fit",
        )
        self.sink.board.tidy = core.settings.group_cleanup
        self.bridge = CoreBridge(core, settings, self.sink, media_hosts=media_hosts)
        self.button_handler: ButtonHandler | None = None

    async def setup_hook(self) -> None:
        await self.tree.set_translator(CatalogueTranslator())
        video = VideoCog(self.bridge)
        await self.add_cog(video)
        await self.add_cog(QuickCog(self.bridge))
        await self.add_cog(GroupBudgetCog(self.bridge))
        if can_act(self.bridge):
            await self.add_cog(ActCog(self.bridge))
        await self.add_cog(MenuCog(self, self.bridge))
        await self.add_cog(PrefixCog(self.bridge))
        self.button_handler = video
        self.add_dynamic_items(JobButton, ShowMenu)
        payments = PaymentsCog(self, self.bridge)
        await self.add_cog(payments)
        if self.settings.syncs_commands:
            await self.sync_commands()
        else:
            log.info("slash commands are registered by the process running shard 0")
        await payments.catch_up()

    async def sync_commands(self) -> list[app_commands.AppCommand]:
        """Globally by default; to DISCORD_DEV_GUILD (instant) when it is set."""
        try:
            if self.settings.dev_guild:
                guild = discord.Object(id=self.settings.dev_guild)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
                where = f"server {self.settings.dev_guild}"
            else:
                synced = await self.tree.sync()
                where = "all servers"
        except discord.HTTPException as exc:
            log.error("could not register the slash commands: %s", exc)
            return []
        log.info("registered %d commands for %s", len(synced), where)
        return synced

    async def on_ready(self) -> None:
        user = self.user
        log.info("discord: logged in as %s (%s)", user, user.id if user else "?")

    async def on_command_error(
        self, context: commands.Context[Any], exception: commands.CommandError, /
    ) -> None:
        if isinstance(exception, commands.CommandNotFound | commands.CheckFailure):
            return  # `!play` belongs to another bot
        log.error("prefix command failed: %s", context.invoked_with, exc_info=exception)


class ShardedVideoBot(VideoBot, commands.AutoShardedBot):
    """The bot running DISCORD_SHARD_IDS of DISCORD_SHARD_COUNT shards in this process."""


def shard_options(settings: DiscordSettings) -> dict[str, Any]:
    """AutoShardedClient's shard_count and shard_ids; none when the gateway is not split."""
    shards = settings.shards
    if shards is None:
        return {}
    return {"shard_count": settings.shard_count, "shard_ids": shards}


def make_bot(core: Core, settings: DiscordSettings, **options: Any) -> VideoBot:
    """A sharded bot when DISCORD_SHARD_COUNT is set, else the plain one (one gateway
    connection, as Discord allows a bot in fewer than 2,500 servers)."""
    cls = ShardedVideoBot if settings.shards is not None else VideoBot
    return cls(core, settings, **options)
