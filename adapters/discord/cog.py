"""/video, /extend, /upscale, /show and the buttons under a job's messages (↻ Again,
⏩ Extend, ⤴ Upscale, Cancel).

/video is declared here with its options; its model, duration and ratio fields are
suggested from the configured vendors while the user types (see `suggest.py`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord import suggest
from adapters.discord.bridge import CoreBridge, user_of
from adapters.discord.media import MediaRefused
from adapters.discord.translate import Moderation, interaction_chat, loc, text
from bot.chat import ChatAddress
from bot.command_types import ExtendCommand
from bot.model_options import NEGATIVE_MAX
from bot.models import SEED_MAX, SEED_MIN, UserRef
from bot.replies import Reply

Interaction = discord.Interaction[Any]
# VideoService.again, .upscale or .show: (user, job, locale, chat) -> the reply
StartFrom = Callable[[UserRef, str, str | None, ChatAddress], Awaitable[Reply]]


class VideoCog(commands.Cog):
    """/video and the job buttons (`views.ButtonHandler`); the core does the work."""

    def __init__(self, bridge: CoreBridge) -> None:
        self.bridge = bridge

    async def cog_load(self) -> None:  # the media session is shared with the menu and `!video`
        self.bridge.media.open()

    async def cog_unload(self) -> None:
        await self.bridge.media.close()

    @app_commands.command(name="video", description=loc("cmd_video"))
    @app_commands.describe(
        prompt=loc("opt_prompt"), image=loc("opt_image"), end_image=loc("opt_end_image"),
        duration=loc("opt_duration"), ratio=loc("opt_ratio"), seed=loc("opt_seed"),
        model=loc("opt_model"), audio=loc("opt_audio"), negative=loc("opt_negative"),
        moderation=loc("opt_moderation"), resolution=loc("opt_resolution"),
    )  # fmt: skip
    async def video(
        self,
        interaction: Interaction,
        prompt: app_commands.Range[str, 1, 1000],
        image: discord.Attachment | None = None,
        end_image: discord.Attachment | None = None,
        duration: int | None = None,
        ratio: str | None = None,
        seed: app_commands.Range[int, SEED_MIN, SEED_MAX] | None = None,
        model: str | None = None,
        audio: bool | None = None,
        negative: app_commands.Range[str, 1, NEGATIVE_MAX] | None = None,
        moderation: Moderation | None = None,
        resolution: str | None = None,
    ) -> None:
        bridge = self.bridge
        begun = await bridge.begin(interaction)
        if begun is None:
            return
        message_id, locale = begun
        try:
            images = [await bridge.media.image(a) for a in (image, end_image) if a is not None]
        except MediaRefused as exc:
            await interaction.edit_original_response(content=exc.text(locale))
            return
        fields = {"duration": duration, "ratio": ratio, "seed": seed, "model": model}
        fields |= {"audio": audio, "negative": negative, "moderation": moderation}
        fields |= {"resolution": resolution}
        await bridge.start_typed(interaction, message_id, images, prompt, fields)

    @video.autocomplete("model")
    async def _models(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return suggest.models(self.bridge.core, current, self.bridge.locale(interaction))

    @video.autocomplete("duration")
    async def _durations(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        return suggest.durations(self.bridge.core, current, interaction.namespace)

    @video.autocomplete("ratio")
    async def _ratios(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return suggest.ratios(self.bridge.core, current, interaction.namespace)

    @video.autocomplete("resolution")
    async def _resolutions(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return suggest.resolutions(self.bridge.core, current, interaction.namespace)

    # buttons (views.ButtonHandler)

    @app_commands.command(name="upscale", description=loc("cmd_upscale"))
    @app_commands.describe(job=loc("opt_upscale_job"))
    async def upscale(self, interaction: Interaction, job: str | None = None) -> None:
        await self.on_upscale(interaction, (job or "").strip())

    @app_commands.command(name="show", description=loc("cmd_show"))
    @app_commands.describe(job=loc("opt_show_job"))
    async def show(self, interaction: Interaction, job: str) -> None:
        await self.on_show(interaction, job.strip())

    async def on_show(self, interaction: Interaction, job_id: str) -> None:
        """A past video sent again here (the /jobs menu picks one too)."""
        await self._build_on(interaction, job_id, self.bridge.core.service.show)

    @app_commands.command(name="extend", description=loc("cmd_extend"))
    @app_commands.describe(job=loc("opt_extend_job"), prompt=loc("opt_extend_prompt"))
    async def extend(
        self,
        interaction: Interaction,
        job: str,
        prompt: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        command = ExtendCommand(job.strip(), prompt or "")
        service = self.bridge.core.service

        async def start(user: UserRef, _job: str, locale: str | None, chat: ChatAddress) -> Reply:
            return await service.extend(user, command, locale, chat)

        await self._build_on(interaction, job, start)

    async def on_extend(self, interaction: Interaction, job_id: str) -> None:
        await self._build_on(interaction, job_id, self.bridge.core.service.extend_job)

    async def on_again(self, interaction: Interaction, job_id: str) -> None:
        await self._build_on(interaction, job_id, self.bridge.core.service.again)

    async def on_upscale(self, interaction: Interaction, job_id: str) -> None:
        await self._build_on(interaction, job_id, self.bridge.core.service.upscale)

    async def _build_on(self, interaction: Interaction, job_id: str, start: StartFrom) -> None:
        """A new job from an earlier one (Again, Upscale), in the place it was asked for."""
        bridge = self.bridge
        locale = bridge.locale(interaction)
        if not bridge.allowed(interaction):
            await interaction.response.send_message(
                text(locale, "not_enabled_here"), ephemeral=True
            )
            return
        message_id = await bridge.defer(interaction)
        chat = interaction_chat(interaction, message_id)
        reply = await start(user_of(interaction.user), job_id, locale, chat)
        await bridge.show(interaction, reply)

    @app_commands.command(name="confirm", description=loc("cmd_confirm"))
    async def confirm(self, interaction: Interaction) -> None:
        """Your latest cost question, confirmed: the job starts here."""
        await self.on_confirm(interaction, "")

    async def on_confirm(self, interaction: Interaction, token: str) -> None:
        """✅ Confirm under a cost question: the job starts in a new message there."""
        await self._build_on(interaction, token, self.bridge.core.service.confirm)

    async def on_decline(self, interaction: Interaction, token: str) -> None:
        reply = self.bridge.core.service.decline(
            user_of(interaction.user), token, self.bridge.locale(interaction)
        )
        await interaction.response.send_message(reply.text, ephemeral=True)

    async def on_cancel(self, interaction: Interaction, job_id: str) -> None:
        locale = self.bridge.locale(interaction)
        service = self.bridge.core.service
        reply = await service.cancel(user_of(interaction.user), job_id, locale)
        await interaction.response.send_message(reply.text, ephemeral=True)
