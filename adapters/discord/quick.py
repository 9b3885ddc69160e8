"""The quick commands: /quota /jobs /cancel /history /help and the admin ones; each gets one
private reply written by the core."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord.bridge import CoreBridge, user_of
from adapters.discord.translate import loc, user_word
from adapters.discord.views import show_view
from bot.command_types import (
    BanCommand,
    CancelCommand,
    GrantCommand,
    HelpCommand,
    HistoryCommand,
    JobsCommand,
    LinkCommand,
    QuotaCommand,
    SettingsCommand,
    StatsCommand,
    UnlinkCommand,
)
from bot.models import JobState
from bot.service import ADMIN_COMMANDS

Interaction = discord.Interaction[Any]


class QuickCog(commands.Cog):
    """Commands that answer at once; admin ones may also need Manage Server (settings)."""

    def __init__(self, bridge: CoreBridge) -> None:
        self.bridge = bridge
        if bridge.settings.admin_requires_manage_guild:
            for command in self.get_app_commands():
                if command.name in ADMIN_COMMANDS:
                    command.default_permissions = discord.Permissions(manage_guild=True)

    @app_commands.command(name="quota", description=loc("cmd_quota"))
    async def quota(self, interaction: Interaction) -> None:
        await self.bridge.answer(interaction, QuotaCommand())

    @app_commands.command(name="jobs", description=loc("cmd_jobs"))
    async def jobs(self, interaction: Interaction) -> None:
        """The recent jobs, with a menu of the finished ones to send one again."""
        jobs = await self.bridge.core.store.user_jobs(user_of(interaction.user), limit=10)
        choices = [
            (job.id, f"{job.short_id} · {job.prompt[:80]}")
            for job in jobs
            if job.state is JobState.DELIVERED
        ]
        await self.bridge.answer(interaction, JobsCommand(), view=show_view(choices))

    @app_commands.command(name="cancel", description=loc("cmd_cancel"))
    @app_commands.describe(job=loc("opt_job"))
    async def cancel(self, interaction: Interaction, job: str | None = None) -> None:
        words = job.split() if job else []
        await self.bridge.answer(interaction, CancelCommand(words[0] if words else None))

    @app_commands.command(name="link", description=loc("cmd_link"))
    @app_commands.describe(code=loc("opt_link_code"))
    async def link(self, interaction: Interaction, code: str | None = None) -> None:
        await self.bridge.answer(interaction, LinkCommand((code or "").strip()))

    @app_commands.command(name="unlink", description=loc("cmd_unlink"))
    async def unlink(self, interaction: Interaction) -> None:
        await self.bridge.answer(interaction, UnlinkCommand())

    @app_commands.command(name="history", description=loc("cmd_history"))
    async def history(self, interaction: Interaction) -> None:
        await self.bridge.answer(interaction, HistoryCommand())

    @app_commands.command(name="help", description=loc("cmd_help"))
    async def help(self, interaction: Interaction) -> None:
        await self.bridge.answer(interaction, HelpCommand())

    @app_commands.command(name="grant", description=loc("cmd_grant"))
    @app_commands.describe(user=loc("opt_user"), credits=loc("opt_credits"))
    async def grant(self, interaction: Interaction, user: str, credits: int) -> None:
        await self.bridge.admin(interaction, GrantCommand(user_word(user), str(credits)))

    @app_commands.command(name="ban", description=loc("cmd_ban"))
    @app_commands.describe(user=loc("opt_user"))
    async def ban(self, interaction: Interaction, user: str) -> None:
        await self.bridge.admin(interaction, BanCommand(user_word(user)))

    @app_commands.command(name="unban", description=loc("cmd_unban"))
    @app_commands.describe(user=loc("opt_user"))
    async def unban(self, interaction: Interaction, user: str) -> None:
        await self.bridge.admin(interaction, BanCommand(user_word(user), banned=False))

    @app_commands.command(name="stats", description=loc("cmd_stats"))
    async def stats(self, interaction: Interaction) -> None:
        await self.bridge.admin(interaction, StatsCommand())

    @app_commands.command(name="settings", description=loc("cmd_settings"))
    @app_commands.describe(
        key=loc("opt_setting_key"), value=loc("opt_setting_value"), reset=loc("opt_setting_reset")
    )
    async def settings(
        self,
        interaction: Interaction,
        key: str | None = None,
        value: str | None = None,
        reset: bool = False,
    ) -> None:
        key = (key or "").strip()
        audit = key.lower() == "audit"
        command = SettingsCommand(key, (value or "").strip(), reset=reset, audit=audit)
        await self.bridge.admin(interaction, command)
