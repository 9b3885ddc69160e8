"""The quick commands: /quota /jobs /cancel /help and the admin ones; each gets one private
reply written by the core."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord.bridge import CoreBridge
from adapters.discord.translate import loc, user_word
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
        await self.bridge.answer(interaction, "/quota")

    @app_commands.command(name="jobs", description=loc("cmd_jobs"))
    async def jobs(self, interaction: Interaction) -> None:
        await self.bridge.answer(interaction, "/jobs")

    @app_commands.command(name="cancel", description=loc("cmd_cancel"))
    @app_commands.describe(job=loc("opt_job"))
    async def cancel(self, interaction: Interaction, job: str | None = None) -> None:
        await self.bridge.answer(interaction, f"/cancel {job.split()[0]}" if job else "/cancel")

    @app_commands.command(name="help", description=loc("cmd_help"))
    async def help(self, interaction: Interaction) -> None:
        await self.bridge.answer(interaction, "/help")

    @app_commands.command(name="grant", description=loc("cmd_grant"))
    @app_commands.describe(user=loc("opt_user"), credits=loc("opt_credits"))
    async def grant(self, interaction: Interaction, user: str, credits: int) -> None:
        await self.bridge.admin(interaction, f"/grant {user_word(user)} {credits}")

    @app_commands.command(name="ban", description=loc("cmd_ban"))
    @app_commands.describe(user=loc("opt_user"))
    async def ban(self, interaction: Interaction, user: str) -> None:
        await self.bridge.admin(interaction, f"/ban {user_word(user)}")

    @app_commands.command(name="unban", description=loc("cmd_unban"))
    @app_commands.describe(user=loc("opt_user"))
    async def unban(self, interaction: Interaction, user: str) -> None:
        await self.bridge.admin(interaction, f"/unban {user_word(user)}")

    @app_commands.command(name="stats", description=loc("cmd_stats"))
    async def stats(self, interaction: Interaction) -> None:
        await self.bridge.admin(interaction, "/stats")
