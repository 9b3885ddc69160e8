"""The "Animate with video" message menu: a form asks for the prompt (and optionally duration
and ratio), and the message's first image becomes the first frame.

discord.py has no context menus inside a cog, so the cog builds its menu and adds it to the
command tree when it loads.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord.bridge import CoreBridge
from adapters.discord.media import MediaRefused, image_sources
from adapters.discord.translate import loc, text
from adapters.discord.views import report_failure

log = logging.getLogger("videobot.discord")

Interaction = discord.Interaction[Any]
# (interaction, message, prompt, duration, ratio) when the form is sent
Submit = Callable[[Interaction, discord.Message, str, str, str], Awaitable[None]]


def _optional(
    label: str, custom_id: str, placeholder: str, max_length: int
) -> discord.ui.TextInput[AnimateModal]:
    """A short field the user may leave empty (the core then picks the default)."""
    return discord.ui.TextInput(
        label=label,
        placeholder=placeholder,
        required=False,
        max_length=max_length,
        custom_id=custom_id,
    )


class AnimateModal(discord.ui.Modal):
    """Asks for the prompt (and optionally duration and ratio) for the context menu."""

    def __init__(self, submit: Submit, message: discord.Message, locale: str) -> None:
        super().__init__(title=text(locale, "modal_title"), timeout=600)
        self.submit = submit
        self.message = message
        self.prompt: discord.ui.TextInput[AnimateModal] = discord.ui.TextInput(
            label=text(locale, "modal_prompt"),
            placeholder=text(locale, "modal_prompt_hint"),
            style=discord.TextStyle.paragraph,
            max_length=1000,
            custom_id="prompt",
        )
        self.duration = _optional(text(locale, "modal_duration"), "duration", "5", 6)
        self.ratio = _optional(text(locale, "modal_ratio"), "ratio", "16:9", 12)
        for item in (self.prompt, self.duration, self.ratio):
            self.add_item(item)

    async def on_submit(self, interaction: Interaction) -> None:
        await self.submit(
            interaction,
            self.message,
            self.prompt.value,
            self.duration.value.strip(),
            self.ratio.value.strip(),
        )

    async def on_error(self, interaction: Interaction, error: Exception, /) -> None:  # type: ignore[override]
        log.error("the animate form failed", exc_info=error)
        await report_failure(interaction)


class MenuCog(commands.Cog):
    """Adds "Animate with video" to the message menu while loaded."""

    def __init__(self, bot: commands.Bot, bridge: CoreBridge) -> None:
        self.bot = bot
        self.bridge = bridge
        self.menu = app_commands.ContextMenu(name=loc("menu_animate"), callback=self.open_form)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    async def open_form(self, interaction: Interaction, message: discord.Message) -> None:
        locale = self.bridge.locale(interaction)
        if not image_sources(message):
            await interaction.response.send_message(text(locale, "no_image"), ephemeral=True)
            return
        await interaction.response.send_modal(AnimateModal(self.animate, message, locale))

    async def animate(
        self,
        interaction: Interaction,
        message: discord.Message,
        prompt: str,
        duration: str,
        ratio: str,
    ) -> None:
        bridge = self.bridge
        begun = await bridge.begin(interaction)
        if begun is None:
            return
        message_id, locale = begun
        sources = image_sources(message)
        try:
            if not sources:
                raise MediaRefused("no_image")
            image = await bridge.media.image(sources[0])
        except MediaRefused as exc:
            await interaction.edit_original_response(content=exc.text(locale))
            return
        fields = {"duration": duration, "ratio": ratio}
        await bridge.start_typed(interaction, message_id, [image], prompt, fields)
