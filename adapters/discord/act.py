"""/act: a character image or video performs the motion of a performance video.

Its own cog, added only when a configured vendor can do it, so the command is not offered
where it could only be refused.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord.bridge import CoreBridge, user_of
from adapters.discord.media import MediaRefused, read_attachment
from adapters.discord.translate import Moderation, act_command, loc
from bot.model_options import EXPRESSION_MAX, EXPRESSION_MIN
from bot.models import Mode
from bot.service import Incoming

Interaction = discord.Interaction[Any]


def can_act(bridge: CoreBridge) -> bool:
    return any(Mode.ACT in v.capabilities.modes() for v in bridge.core.vendors)


class ActCog(commands.Cog):
    def __init__(self, bridge: CoreBridge) -> None:
        self.bridge = bridge

    @app_commands.command(name="act", description=loc("cmd_act"))
    @app_commands.describe(
        character=loc("opt_character"), performance=loc("opt_performance"), body=loc("opt_body"),
        expression=loc("opt_expression"), moderation=loc("opt_moderation"),
    )  # fmt: skip
    async def act(
        self,
        interaction: Interaction,
        character: discord.Attachment,
        performance: discord.Attachment,
        body: bool = False,
        expression: app_commands.Range[int, EXPRESSION_MIN, EXPRESSION_MAX] | None = None,
        moderation: Moderation | None = None,
    ) -> None:
        bridge = self.bridge
        begun = await bridge.begin(interaction)
        if begun is None:
            return
        message_id, locale = begun
        try:
            face = await read_attachment(character, "image", "video")
            motion = await read_attachment(performance, "video")
        except MediaRefused as exc:
            await interaction.edit_original_response(content=exc.text(locale))
            return
        incoming = Incoming(
            user=user_of(interaction.user),
            command=act_command(body, expression, moderation),
            locale=locale,
            character=face,
            video=motion,
        )
        await bridge.start(interaction, message_id, incoming)
