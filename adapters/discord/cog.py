"""What Discord users can do: slash commands, the "Animate with video" menu, `!video`, buttons.

Every handler does the same three things: answer Discord at once (defer, modal or an
ephemeral reply), download the media with checks, and hand the core an `Incoming`. Typed
slash and form fields arrive as an already-built command (the prompt field word for word);
`!video` text is the chat syntax the core parses. The core validates, charges and answers;
the sink then edits the status message as the job moves.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord.delivery import DiscordSink
from adapters.discord.schema import AnimateModal, build_commands
from adapters.discord.settings import DiscordSettings
from adapters.discord.translate import (
    MediaRefused,
    act_text,
    attachment_kind,
    channel_ids,
    fetch_image,
    guild_id_of,
    image_sources,
    interaction_chat,
    loc,
    locale_of,
    message_chat,
    read_attachment,
    text,
    user_word,
    video_attachments,
)
from bot.bootstrap import Core
from bot.commands import typed_video
from bot.errors import InvalidRequest
from bot.models import Media, UserRef
from bot.service import ADMIN_COMMANDS, USER_COMMANDS, Incoming, Reply

log = logging.getLogger("videobot.discord")

Interaction = discord.Interaction[Any]
USER_LOCALES_MAX = 100_000


def user_of(who: discord.abc.User) -> UserRef:
    return UserRef("discord", str(who.id))


class VideoCog(commands.Cog):
    """The video feature; the core does the work, this cog speaks Discord."""

    def __init__(
        self,
        bot: commands.Bot,
        core: Core,
        settings: DiscordSettings,
        sink: DiscordSink,
        *,
        media_hosts: frozenset[str] = frozenset(),
    ) -> None:
        self.bot = bot
        self.core = core
        self.settings = settings
        self.sink = sink
        self.media_hosts = media_hosts
        self.session: aiohttp.ClientSession | None = None
        self.user_locales: dict[int, str] = {}  # last interaction locale, for `!video` replies
        self.extra_commands = build_commands(self)
        if settings.admin_requires_manage_guild:
            for command in self.get_app_commands():
                if command.name in ADMIN_COMMANDS:
                    command.default_permissions = discord.Permissions(manage_guild=True)

    async def cog_load(self) -> None:
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        for command in self.extra_commands:
            self.bot.tree.add_command(command)

    async def cog_unload(self) -> None:
        for command in self.extra_commands:
            kind = (
                command.type
                if isinstance(command, app_commands.ContextMenu)
                else discord.AppCommandType.chat_input
            )
            self.bot.tree.remove_command(command.name, type=kind)
        if self.session is not None:
            await self.session.close()

    # shared helpers

    def locale(self, interaction: Interaction) -> str:
        locale = locale_of(interaction.locale)
        if len(self.user_locales) >= USER_LOCALES_MAX:
            self.user_locales.clear()
        self.user_locales[interaction.user.id] = locale
        return locale

    def allowed(self, interaction: Interaction) -> bool:
        ids = channel_ids(interaction.channel) if interaction.channel else ()
        return self.settings.allows(interaction.guild_id, (*ids, interaction.channel_id))

    async def _defer(self, interaction: Interaction) -> int:
        """Acknowledge within Discord's 3 s; returns the id of the "thinking" message."""
        response = await interaction.response.defer(thinking=True)
        if response is not None and response.message_id is not None:
            return response.message_id
        return (await interaction.original_response()).id

    async def _refused(self, interaction: Interaction, locale: str) -> bool:
        """Answer a user who cannot start a video now (banned, out of credits, at the job
        limit) before any media is downloaded; True if so."""
        refusal = await self.core.service.admit(user_of(interaction.user), locale)
        if refusal is not None:
            await interaction.edit_original_response(content=refusal.text)
        return refusal is not None

    async def _image(self, source: discord.Attachment | str) -> Media:
        if isinstance(source, discord.Attachment):
            return await read_attachment(source, "image")
        if self.session is None:
            raise MediaRefused("download_failed")
        return await fetch_image(self.session, source, extra_hosts=self.media_hosts)

    async def _start(self, interaction: Interaction, message_id: int, incoming: Incoming) -> Reply:
        """Run a video command whose interaction was deferred; show the answer."""
        incoming.chat = interaction_chat(interaction, message_id)
        reply = await self.core.service.handle(incoming)
        await self._show(interaction, reply)
        return reply

    async def _start_typed(
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
        incoming = Incoming(
            user_of(interaction.user), "/video", locale, images=images, command=command
        )
        await self._start(interaction, message_id, incoming)

    async def _show(self, interaction: Interaction, reply: Reply) -> None:
        if reply.job is None:
            await interaction.edit_original_response(content=reply.text)
            return
        self.sink.started(reply.job, reply.text)
        await self.core.service.attach(reply.job.id, header=reply.text)

    async def _answer(self, interaction: Interaction, command: str) -> None:
        """A quick command (quota, jobs, help, admin): one private reply."""
        locale = self.locale(interaction)
        chat = {"channel_id": interaction.channel_id, "guild_id": interaction.guild_id}
        reply = await self.core.service.handle(
            Incoming(user=user_of(interaction.user), text=command, locale=locale, chat=chat)
        )
        await interaction.response.send_message(reply.text, ephemeral=True)

    async def _admin(self, interaction: Interaction, command: str) -> None:
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
        await self._answer(interaction, command)

    # /video, /act and the context menu (built in schema.build_commands)

    async def video(
        self,
        interaction: Interaction,
        *,
        prompt: str,
        image: discord.Attachment | None,
        end_image: discord.Attachment | None,
        duration: int | None,
        ratio: str | None,
        seed: int | None,
        model: str | None,
    ) -> None:
        message_id = await self._defer(interaction)
        locale = self.locale(interaction)
        if await self._refused(interaction, locale):
            return
        try:
            images = [await self._image(a) for a in (image, end_image) if a is not None]
        except MediaRefused as exc:
            await interaction.edit_original_response(content=exc.text(locale))
            return
        fields = {"duration": duration, "ratio": ratio, "seed": seed, "model": model}
        await self._start_typed(interaction, message_id, images, prompt, fields)

    async def act(
        self,
        interaction: Interaction,
        *,
        character: discord.Attachment,
        performance: discord.Attachment,
        body: bool,
    ) -> None:
        message_id = await self._defer(interaction)
        locale = self.locale(interaction)
        if await self._refused(interaction, locale):
            return
        try:
            face = await read_attachment(character, "image", "video")
            motion = await read_attachment(performance, "video")
        except MediaRefused as exc:
            await interaction.edit_original_response(content=exc.text(locale))
            return
        incoming = Incoming(
            user=user_of(interaction.user),
            text=act_text(body),
            locale=locale,
            character=face,
            video=motion,
        )
        await self._start(interaction, message_id, incoming)

    async def animate_menu(self, interaction: Interaction, message: discord.Message) -> None:
        locale = self.locale(interaction)
        if not image_sources(message):
            await interaction.response.send_message(text(locale, "no_image"), ephemeral=True)
            return
        await interaction.response.send_modal(AnimateModal(self, message, locale))

    async def animate(
        self,
        interaction: Interaction,
        message: discord.Message,
        *,
        prompt: str,
        duration: str,
        ratio: str,
    ) -> None:
        message_id = await self._defer(interaction)
        locale = self.locale(interaction)
        if await self._refused(interaction, locale):
            return
        sources = image_sources(message)
        try:
            if not sources:
                raise MediaRefused("no_image")
            image = await self._image(sources[0])
        except MediaRefused as exc:
            await interaction.edit_original_response(content=exc.text(locale))
            return
        fields = {"duration": duration, "ratio": ratio}
        await self._start_typed(interaction, message_id, [image], prompt, fields)

    # buttons (views.ButtonHandler)

    async def on_again(self, interaction: Interaction, job_id: str) -> None:
        locale = self.locale(interaction)
        if not self.allowed(interaction):
            await interaction.response.send_message(
                text(locale, "not_enabled_here"), ephemeral=True
            )
            return
        message_id = await self._defer(interaction)
        chat = interaction_chat(interaction, message_id)
        reply = await self.core.service.again(user_of(interaction.user), job_id, locale, chat)
        await self._show(interaction, reply)

    async def on_cancel(self, interaction: Interaction, job_id: str) -> None:
        locale = self.locale(interaction)
        reply = await self.core.service.cancel(user_of(interaction.user), job_id, locale)
        await interaction.response.send_message(reply.text, ephemeral=True)

    # the quick commands

    @app_commands.command(name="quota", description=loc("cmd_quota"))
    async def quota(self, interaction: Interaction) -> None:
        await self._answer(interaction, "/quota")

    @app_commands.command(name="jobs", description=loc("cmd_jobs"))
    async def jobs(self, interaction: Interaction) -> None:
        await self._answer(interaction, "/jobs")

    @app_commands.command(name="cancel", description=loc("cmd_cancel"))
    @app_commands.describe(job=loc("opt_job"))
    async def cancel(self, interaction: Interaction, job: str | None = None) -> None:
        await self._answer(interaction, f"/cancel {job.split()[0]}" if job else "/cancel")

    @app_commands.command(name="help", description=loc("cmd_help"))
    async def help(self, interaction: Interaction) -> None:
        await self._answer(interaction, "/help")

    @app_commands.command(name="grant", description=loc("cmd_grant"))
    @app_commands.describe(user=loc("opt_user"), credits=loc("opt_credits"))
    async def grant(self, interaction: Interaction, user: str, credits: int) -> None:
        await self._admin(interaction, f"/grant {user_word(user)} {credits}")

    @app_commands.command(name="ban", description=loc("cmd_ban"))
    @app_commands.describe(user=loc("opt_user"))
    async def ban(self, interaction: Interaction, user: str) -> None:
        await self._admin(interaction, f"/ban {user_word(user)}")

    @app_commands.command(name="unban", description=loc("cmd_unban"))
    @app_commands.describe(user=loc("opt_user"))
    async def unban(self, interaction: Interaction, user: str) -> None:
        await self._admin(interaction, f"/unban {user_word(user)}")

    @app_commands.command(name="stats", description=loc("cmd_stats"))
    async def stats(self, interaction: Interaction) -> None:
        await self._admin(interaction, "/stats")

    # `!video prompt` (or `@bot video prompt`) as a reply to a message with an image

    @commands.command(
        name="video", aliases=[c for c in (*USER_COMMANDS, *ADMIN_COMMANDS) if c != "video"]
    )
    async def prefix(self, ctx: commands.Context[commands.Bot], *, rest: str = "") -> None:
        message = ctx.message
        if not self.settings.allows(guild_id_of(message), channel_ids(message.channel)):
            return
        command = (ctx.invoked_with or "video").lower()
        locale = self._message_locale(message)
        user = user_of(message.author)
        line = f"/{command} {rest}".strip()
        quiet = discord.AllowedMentions.none()
        if command not in ("video", "act"):
            chat = {"channel_id": message.channel.id, "guild_id": guild_id_of(message)}
            reply = await self.core.service.handle(Incoming(user, line, locale, chat))
            await message.reply(reply.text, mention_author=False, allowed_mentions=quiet)
            return
        refusal = await self.core.service.admit(user, locale)
        if refusal is not None:  # nothing downloaded for who cannot start a video
            await message.reply(refusal.text, mention_author=False, allowed_mentions=quiet)
            return
        try:
            images, video, character = await self._message_media(message, act=command == "act")
        except MediaRefused as exc:
            await message.reply(exc.text(locale), mention_author=False, allowed_mentions=quiet)
            return
        status = await message.reply("⏳", mention_author=False, allowed_mentions=quiet)
        limit = (
            message.guild.filesize_limit
            if message.guild is not None
            else discord.utils.DEFAULT_FILE_SIZE_LIMIT_BYTES
        )
        incoming = Incoming(
            user=user,
            text=line,
            locale=locale,
            chat=message_chat(message, status.id, limit),
            images=images,
            video=video,
            character=character,
        )
        reply = await self.core.service.handle(incoming)
        if reply.job is None:
            await status.edit(content=reply.text)
            return
        self.sink.started(reply.job, reply.text)
        await self.core.service.attach(reply.job.id, header=reply.text)

    def _message_locale(self, message: discord.Message) -> str:
        known = self.user_locales.get(message.author.id)
        if known:
            return known
        if message.guild is not None:
            return locale_of(message.guild.preferred_locale)
        return "en"

    async def _referenced(self, message: discord.Message) -> discord.Message | None:
        ref = message.reference
        if ref is None:
            return None
        if isinstance(ref.resolved, discord.Message):
            return ref.resolved
        if ref.message_id is None:
            return None
        try:
            return await message.channel.fetch_message(ref.message_id)
        except discord.HTTPException:
            return None

    async def _message_media(
        self, message: discord.Message, *, act: bool
    ) -> tuple[list[Media], Media | None, Media | None]:
        """(images, video, character) from the message and the message it replies to.

        The replied-to image is the first frame and an attached one the last; for `!act` the
        attachment is the character and the replied-to video the performance."""
        replied = await self._referenced(message)
        own = [a for a in message.attachments if attachment_kind(a)]
        replied_images = image_sources(replied) if replied is not None else []
        replied_videos = video_attachments(replied) if replied is not None else []
        if act:
            character = await read_attachment(own[0], "image", "video") if own else None
            if character is None and replied_images:
                character = await self._image(replied_images[0])
            motion = replied_videos[0] if replied_videos else None
            if motion is None:
                motion = next((a for a in own[1:] if attachment_kind(a) == "video"), None)
            video = await read_attachment(motion, "video") if motion is not None else None
            return [], video, character
        images = [await self._image(s) for s in replied_images[:1]]
        images += [await self._image(a) for a in own if attachment_kind(a) == "image"]
        source = next((a for a in own if attachment_kind(a) == "video"), None)
        if source is None and replied_videos:
            source = replied_videos[0]
        video = await read_attachment(source, "video") if source is not None else None
        return images, video, None
