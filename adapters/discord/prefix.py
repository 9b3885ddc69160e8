"""Typed commands: `!video prompt` (or `@bot video prompt`), usually as a reply to a message
with an image, and the typed quick commands (`!quota`, `!jobs`, ...).

The text is the chat syntax the core parses. The reply goes under the user's message; a
"⏳" reply becomes the job's status message.
"""

from __future__ import annotations

import discord
from discord.ext import commands

from adapters.discord.bridge import CoreBridge, user_of
from adapters.discord.chat import DiscordChat
from adapters.discord.group_budget import author_permissions, manages_server
from adapters.discord.media import (
    MediaRefused,
    attachment_kind,
    image_sources,
    read_attachment,
    video_attachments,
)
from adapters.discord.targets import message_parts
from adapters.discord.translate import channel_ids, guild_id_of, message_chat
from adapters.discord.views import question_view
from bot.command_types import Refused
from bot.commands import read
from bot.link_commands import needs_private_chat
from bot.models import Media
from bot.service import ADMIN_COMMANDS, USER_COMMANDS, Incoming

QUIET = discord.AllowedMentions.none()


class PrefixCog(commands.Cog):
    """`!video`, `!act` and every other command name as a typed message."""

    def __init__(self, bridge: CoreBridge) -> None:
        self.bridge = bridge

    @commands.command(
        name="video",
        aliases=[
            c for c in (*USER_COMMANDS, *ADMIN_COMMANDS, "confirm", "groupquota") if c != "video"
        ],
    )
    async def prefix(self, ctx: commands.Context[commands.Bot], *, rest: str = "") -> None:
        message = ctx.message
        bridge = self.bridge
        await bridge.core.service.live.refresh()  # the allowed places may have changed
        if not bridge.settings.allows(guild_id_of(message), channel_ids(message.channel)):
            return
        command = (ctx.invoked_with or "video").lower()
        locale = bridge.message_locale(message)
        user = user_of(message.author)
        line = f"/{command} {rest}".strip()
        if command not in ("video", "act", "upscale", "extend", "confirm"):
            chat = DiscordChat(channel_id=message.channel.id, guild_id=guild_id_of(message))
            typed = read(line)
            if needs_private_chat(typed) and message.guild is not None:
                typed = Refused("link_private")  # /link in a server answers privately
            check = manages_server(author_permissions(message))  # asked by !groupquota only
            incoming = Incoming(user, typed, locale, chat, chat_admin=check)
            reply = await bridge.core.service.handle(incoming)
            for part in message_parts(reply.text):  # 2000 characters a message
                await message.reply(part, mention_author=False, allowed_mentions=QUIET)
            return
        images: list[Media] = []
        video = character = None
        if command not in ("upscale", "extend", "confirm"):  # no media of their own to read
            place = DiscordChat(channel_id=message.channel.id, guild_id=guild_id_of(message))
            refusal = await bridge.core.service.admit(user, locale, place)
            if refusal is not None:  # nothing downloaded for who cannot start a video
                await message.reply(refusal.text, mention_author=False, allowed_mentions=QUIET)
                return
            try:
                images, video, character = await self._media(message, act=command == "act")
            except MediaRefused as exc:
                await message.reply(exc.text(locale), mention_author=False, allowed_mentions=QUIET)
                return
        status = await message.reply("⏳", mention_author=False, allowed_mentions=QUIET)
        limit = (
            message.guild.filesize_limit
            if message.guild is not None
            else discord.utils.DEFAULT_FILE_SIZE_LIMIT_BYTES
        )
        incoming = Incoming(
            user=user,
            command=read(line),
            locale=locale,
            chat=message_chat(message, status.id, limit),
            images=images,
            video=video,
            character=character,
        )
        reply = await bridge.core.service.handle(incoming)
        if reply.job is None:
            if reply.confirm is None:
                await status.edit(content=reply.text)
            else:
                await status.edit(content=reply.text, view=question_view(reply.confirm, locale))
            return
        await bridge.follow(reply)

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

    async def _media(
        self, message: discord.Message, *, act: bool
    ) -> tuple[list[Media], Media | None, Media | None]:
        """(images, video, character) from the message and the message it replies to.

        The replied-to image is the first frame and an attached one the last; for `!act` the
        attachment is the character and the replied-to video the performance."""
        image = self.bridge.media.image
        replied = await self._referenced(message)
        own = [a for a in message.attachments if attachment_kind(a)]
        replied_images = image_sources(replied) if replied is not None else []
        replied_videos = video_attachments(replied) if replied is not None else []
        if act:
            character = await read_attachment(own[0], "image", "video") if own else None
            if character is None and replied_images:
                character = await image(replied_images[0])
            motion = replied_videos[0] if replied_videos else None
            if motion is None:
                motion = next((a for a in own[1:] if attachment_kind(a) == "video"), None)
            video = await read_attachment(motion, "video") if motion is not None else None
            return [], video, character
        images = [await image(s) for s in replied_images[:1]]
        images += [await image(a) for a in own if attachment_kind(a) == "image"]
        source = next((a for a in own if attachment_kind(a) == "video"), None)
        if source is None and replied_videos:
            source = replied_videos[0]
        video = await read_attachment(source, "video") if source is not None else None
        return images, video, None
