"""What every Discord command handler shares: the way from an interaction to the core and back.

Each handler answers Discord at once (defer, modal or an ephemeral reply), downloads the media
with checks, and hands the core an `Incoming`. Typed slash and form fields arrive as an
already-built command (the prompt field word for word); `!video` text is read into one by
the core's parser. The core validates, charges and answers; the sink then edits the status message
as the job moves.
"""

from __future__ import annotations

from typing import Any

import discord

from adapters.discord.chat import DiscordChat, stored_change
from adapters.discord.delivery import DiscordSink
from adapters.discord.media import Downloader
from adapters.discord.settings import DiscordSettings
from adapters.discord.targets import message_parts
from adapters.discord.translate import channel_ids, interaction_chat, locale_of, text
from adapters.discord.views import question_view
from bot.bootstrap import Core
from bot.command_types import Command
from bot.commands import typed_video
from bot.errors import InvalidRequest
from bot.group_budget import AdminCheck
from bot.models import Media, UserRef
from bot.service import Incoming, Reply

Interaction = discord.Interaction[Any]
USER_LOCALES_MAX = 100_000


def user_of(who: discord.abc.User) -> UserRef:
    return UserRef("discord", str(who.id))


class CoreBridge:
    """The core, the sink, the downloader and the language each user last used."""

    def __init__(
        self,
        core: Core,
        settings: DiscordSettings,
        sink: DiscordSink,
        *,
        media_hosts: frozenset[str] = frozenset(),
    ) -> None:
        self.core = core
        self.settings = settings
        self.sink = sink
        self.media = Downloader(media_hosts=media_hosts)
        self.user_locales: dict[int, str] = {}  # last interaction locale, for `!video` replies

    # languages and places

    def locale(self, interaction: Interaction) -> str:
        """The interaction's language, remembered for the user's later `!video` messages."""
        locale = locale_of(interaction.locale)
        if len(self.user_locales) >= USER_LOCALES_MAX:
            self.user_locales.clear()
        self.user_locales[interaction.user.id] = locale
        return locale

    def message_locale(self, message: discord.Message) -> str:
        """A message carries no language: the user's last interaction's, else the server's."""
        known = self.user_locales.get(message.author.id)
        if known:
            return known
        if message.guild is not None:
            return locale_of(message.guild.preferred_locale)
        return "en"

    def allowed(self, interaction: Interaction) -> bool:
        ids = channel_ids(interaction.channel) if interaction.channel else ()
        return self.settings.allows(interaction.guild_id, (*ids, interaction.channel_id))

    # video jobs

    async def defer(self, interaction: Interaction) -> int:
        """Acknowledge within Discord's 3 s; returns the id of the "thinking" message."""
        response = await interaction.response.defer(thinking=True)
        if response is not None and response.message_id is not None:
            return response.message_id
        return (await interaction.original_response()).id

    async def begin(self, interaction: Interaction) -> tuple[int, str] | None:
        """Defer a video command and check its user may start one at all; (the "thinking"
        message's id, the language), or None once a user who cannot (banned, out of
        credits, at the job limit) was answered, before any media is downloaded."""
        message_id = await self.defer(interaction)
        locale = self.locale(interaction)
        chat = DiscordChat(channel_id=interaction.channel_id, guild_id=interaction.guild_id)
        refusal = await self.core.service.admit(user_of(interaction.user), locale, chat)
        if refusal is not None:
            await interaction.edit_original_response(content=refusal.text)
            return None
        return message_id, locale

    async def start(self, interaction: Interaction, message_id: int, incoming: Incoming) -> Reply:
        """Run a video command whose interaction was deferred; show the answer."""
        incoming.chat = interaction_chat(interaction, message_id)
        reply = await self.core.service.handle(incoming)
        await self.show(interaction, reply)
        return reply

    async def start_typed(
        self,
        interaction: Interaction,
        message_id: int,
        images: list[Media],
        prompt: str,
        fields: dict[str, Any],
    ) -> None:
        """/video from a form's fields: the prompt field is the prompt, never parsed for options."""
        locale = self.locale(interaction)
        try:
            command = typed_video(prompt, **fields)
        except InvalidRequest as exc:
            await interaction.edit_original_response(content=text(locale, exc.key, **exc.params))
            return
        incoming = Incoming(user_of(interaction.user), command, locale, images=images)
        await self.start(interaction, message_id, incoming)

    async def show(self, interaction: Interaction, reply: Reply) -> None:
        """A refusal replaces the "thinking" message; an accepted job starts its status."""
        if reply.job is None:
            if reply.confirm is None:
                await interaction.edit_original_response(content=reply.text)
                return
            view = question_view(reply.confirm, locale_of(interaction.locale))
            await interaction.edit_original_response(content=reply.text, view=view)
            return
        await self.follow(reply)

    async def follow(self, reply: Reply) -> None:
        """Show the accepted job's status and keep it moving as the engine reports."""
        if reply.job is None:
            return
        self.sink.started(reply.job, reply.text)
        header = reply.text
        await self.core.service.attach(
            reply.job.id, stored_change(lambda chat: chat.with_header(header))
        )

    # quick commands

    async def answer(
        self,
        interaction: Interaction,
        command: Command,
        view: discord.ui.View | None = None,
        *,
        chat_admin: AdminCheck | None = None,
    ) -> None:
        """A quick command (quota, jobs, help, admin): one private reply (`view` under it)."""
        locale = self.locale(interaction)
        chat = DiscordChat(channel_id=interaction.channel_id, guild_id=interaction.guild_id)
        user = user_of(interaction.user)
        reply = await self.core.service.handle(
            Incoming(user=user, command=command, locale=locale, chat=chat, chat_admin=chat_admin)
        )
        first, *more = message_parts(reply.text)
        if view is not None:
            await interaction.response.send_message(first, ephemeral=True, view=view)
        else:
            await interaction.response.send_message(first, ephemeral=True)
        for part in more:  # Discord takes 2000 characters a message
            await interaction.followup.send(part, ephemeral=True)

    async def admin(self, interaction: Interaction, command: Command) -> None:
        """An admin command; in a server it may also need Manage Server (settings)."""
        if (
            self.settings.admin_requires_manage_guild
            and interaction.guild_id is not None
            and not interaction.permissions.manage_guild
        ):
            locale = self.locale(interaction)
            await interaction.response.send_message(
                text(locale, "need_manage_guild"), ephemeral=True
            )
            return
        await self.answer(interaction, command)
