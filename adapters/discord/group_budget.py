"""/groupquota on Discord: a server's shared daily budget, set by its managers.

A Discord budget covers the whole server (all its channels): "Manage Server" is a
server's right, and one pool per community is what its admins asked for. Who may set it
comes from the interaction itself (the member's permissions Discord sends with it), so no
API call is made; the core asks only for /groupquota, after ruling out bot admins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord.bridge import CoreBridge
from adapters.discord.translate import loc
from bot.commands import read
from bot.group_budget import AdminCheck

Interaction = discord.Interaction[Any]


def manages_server(permissions: Callable[[], discord.Permissions | None]) -> AdminCheck:
    """The core's port for one command: whether the sender's server permissions (read only
    when asked; None in a DM or when unknown) include Manage Server."""

    async def check() -> bool:
        known = permissions()
        return known is not None and known.manage_guild

    return check


def author_permissions(message: discord.Message) -> Callable[[], discord.Permissions | None]:
    """A typed command's author's server permissions, from the roles discord.py keeps."""

    def read() -> discord.Permissions | None:
        author = message.author
        return author.guild_permissions if isinstance(author, discord.Member) else None

    return read


class GroupBudgetCog(commands.Cog):
    """/groupquota [setting]: the setting as typed (`50`, `member 5`, `off`), read by the
    core's parser like the other platforms' text; empty shows today's use."""

    def __init__(self, bridge: CoreBridge) -> None:
        self.bridge = bridge

    @app_commands.command(name="groupquota", description=loc("cmd_groupquota"))
    @app_commands.describe(setting=loc("opt_groupquota_setting"))
    async def groupquota(
        self, interaction: Interaction, setting: app_commands.Range[str, 0, 40] | None = None
    ) -> None:
        command = read(f"/groupquota {setting or ''}")
        in_server = interaction.guild_id is not None
        check = manages_server(lambda: interaction.permissions if in_server else None)
        await self.bridge.answer(interaction, command, chat_admin=check)
