"""Pure translation between Discord and the core: locales, texts, command text, media, context.

Nothing here sends messages. Attachments are checked (declared type and size) before a single
byte is read, and their URLs never reach a log line or a vendor: the core gets bytes.
"""

from __future__ import annotations

import logging
import mimetypes
from typing import Any
from urllib.parse import urlparse

import aiohttp
import discord
from discord import app_commands

from bot import texts
from bot.media import MAX_INPUT_IMAGE_BYTES, MAX_INPUT_VIDEO_BYTES
from bot.models import Media

log = logging.getLogger("videobot.discord")

# Texts the core catalogue lacks; same shape as `bot.texts.CATALOG`.

# Chinese names for commands and options (Discord allows CJK letters in names).
ZH_NAMES = {
    "video": "视频",
    "act": "表演",
    "quota": "额度",
    "jobs": "任务",
    "cancel": "取消",
    "help": "帮助",
    "grant": "赠送额度",
    "ban": "封禁",
    "unban": "解封",
    "stats": "统计",
    "prompt": "描述",
    "image": "图片",
    "end_image": "尾帧",
    "duration": "时长",
    "ratio": "比例",
    "seed": "种子",
    "model": "模型",
    "character": "角色",
    "performance": "表演视频",
    "body": "肢体",
    "job": "任务编号",
    "user": "用户",
    "credits": "点数",
}

RATIO_WORDS = {
    "16:9": ("landscape", "横屏"),
    "9:16": ("portrait", "竖屏"),
    "1:1": ("square", "方形"),
    "21:9": ("cinema", "宽银幕"),
}


def locale_of(locale: discord.Locale | str | None) -> str:
    """Discord locale (zh-CN, zh-TW, en-US, …) -> catalogue locale (zh, en)."""
    value = locale.value if isinstance(locale, discord.Locale) else locale
    return texts.norm_locale(value)


def text(locale: str | None, key: str, **params: Any) -> str:
    """The catalogue text for `key` (bot/texts.py holds every user-facing text)."""
    return texts.t(locale, key, **params)


def loc(key: str, **params: Any) -> app_commands.locale_str:
    """A translatable command string: English now, Chinese from the translator."""
    return app_commands.locale_str(text("en", key, **params), key=key, params=params)


_NAMES = (
    app_commands.TranslationContextLocation.command_name,
    app_commands.TranslationContextLocation.parameter_name,
)


class CatalogueTranslator(app_commands.Translator):
    """Gives command names, descriptions and choices their zh-CN / zh-TW localisations."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if locale_of(locale) != "zh":
            return None
        extras = string.extras
        if "zh" in extras:
            return str(extras["zh"])
        if "key" in extras:
            return text("zh", str(extras["key"]), **dict(extras.get("params") or {}))
        if context.location in _NAMES:
            return ZH_NAMES.get(string.message)
        return None


def ratio_label(ratio: str) -> app_commands.locale_str:
    words = RATIO_WORDS.get(ratio)
    if words is None:
        return app_commands.locale_str(ratio)
    return app_commands.locale_str(f"{ratio} {words[0]}", zh=f"{ratio} {words[1]}")


# command text for the core's parser


def act_text(body: bool) -> str:
    return "/act --body" if body else "/act"


def user_word(value: str) -> str:
    """A target for /grant /ban /unban: `<@123>` and `123` -> `123`; `telegram:5` stays."""
    value = value.strip()
    if value.startswith("<@") and value.endswith(">"):
        value = value[2:-1].lstrip("!&")
    return value.split()[0] if value else value


# media


class MediaRefused(Exception):
    """A file the user should replace; `key`/`params` name the catalogue text."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def text(self, locale: str | None) -> str:
        return text(locale, self.key, **self.params)


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f}"


def _mime(content_type: str | None, filename: str) -> str:
    mime = (content_type or "").split(";")[0].strip().lower()
    return mime or (mimetypes.guess_type(filename)[0] or "")


def attachment_kind(att: discord.Attachment) -> str:
    """`image`, `video` or `` by the declared content type (or the file name)."""
    mime = _mime(att.content_type, att.filename)
    return mime.split("/")[0] if mime.startswith(("image/", "video/")) else ""


def _limit(kind: str) -> int:
    return MAX_INPUT_IMAGE_BYTES if kind == "image" else MAX_INPUT_VIDEO_BYTES


def _refuse(kind: str, size: int | None = None) -> MediaRefused:
    if size is None:
        return MediaRefused("err_image_invalid" if kind == "image" else "err_video_invalid")
    key = "err_image_too_large" if kind == "image" else "err_video_too_large"
    return MediaRefused(key, size_mb=_mb(size), max_mb=_mb(_limit(kind)))


async def read_attachment(att: discord.Attachment, *kinds: str) -> Media:
    """Download an attachment of one of `kinds` (image, video), checking type and size first."""
    kind = attachment_kind(att)
    if kind not in kinds:
        raise _refuse(kinds[0])
    if att.size > _limit(kind):
        raise _refuse(kind, att.size)
    try:
        data = await att.read()
    except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
        log.warning("attachment download failed: %s", type(exc).__name__)
        raise MediaRefused("download_failed") from None
    if len(data) > _limit(kind):
        raise _refuse(kind, len(data))
    return Media(data, _mime(att.content_type, att.filename), att.filename)


DISCORD_MEDIA_HOSTS = ("discordapp.net", "discordapp.com", "discord.com")


def host_allowed(url: str, extra_hosts: frozenset[str]) -> bool:
    """Embed images are fetched only through Discord's own media proxy (no SSRF)."""
    parsed = urlparse(url)
    host = (parsed.hostname or "").lower()
    if host in extra_hosts:  # a local test server
        return parsed.scheme in ("http", "https")
    return parsed.scheme == "https" and any(
        host == h or host.endswith("." + h) for h in DISCORD_MEDIA_HOSTS
    )


async def fetch_image(
    session: aiohttp.ClientSession, url: str, *, extra_hosts: frozenset[str] = frozenset()
) -> Media:
    """Stream an embed image under the size cap, after checking its type and length."""
    if not host_allowed(url, extra_hosts):
        raise MediaRefused("err_image_invalid")
    limit = MAX_INPUT_IMAGE_BYTES
    try:
        async with session.get(url, allow_redirects=False) as resp:
            if resp.status != 200:
                raise MediaRefused("download_failed")
            mime = _mime(resp.headers.get("Content-Type"), "")
            if not mime.startswith("image/"):
                raise MediaRefused("err_image_invalid")
            if resp.content_length is not None and resp.content_length > limit:
                raise _refuse("image", resp.content_length)
            data = bytearray()
            async for chunk in resp.content.iter_chunked(65536):
                data += chunk
                if len(data) > limit:
                    raise _refuse("image", len(data))
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("embed image download failed: %s", type(exc).__name__)
        raise MediaRefused("download_failed") from None
    return Media(bytes(data), mime, "embed" + (mimetypes.guess_extension(mime) or ""))


def image_sources(message: discord.Message) -> list[discord.Attachment | str]:
    """The images of a message: image attachments first, then embed images (proxied URLs)."""
    found: list[discord.Attachment | str] = [
        a for a in message.attachments if attachment_kind(a) == "image"
    ]
    for embed in message.embeds:
        for media in (embed.image, embed.thumbnail):
            url = media.proxy_url or media.url
            if url:
                found.append(url)
                break
    return found


def video_attachments(message: discord.Message) -> list[discord.Attachment]:
    return [a for a in message.attachments if attachment_kind(a) == "video"]


# reply context, persisted with the job


def interaction_chat(interaction: discord.Interaction, message_id: int | None) -> dict[str, Any]:
    """Where the job's status message lives and how to reach it, for the sink."""
    return {
        "channel_id": interaction.channel_id,
        "guild_id": interaction.guild_id,
        "app_id": interaction.application_id,
        "token": interaction.token,  # valid 15 minutes; never logged
        "token_at": interaction.created_at.timestamp(),
        "message_id": message_id,
        "filesize_limit": interaction.filesize_limit,
    }


def message_chat(message: discord.Message, status_id: int, filesize_limit: int) -> dict[str, Any]:
    return {
        "channel_id": message.channel.id,
        "guild_id": guild_id_of(message),
        "message_id": status_id,
        "reply_to": message.id,
        "filesize_limit": filesize_limit,
    }


def guild_id_of(message: discord.Message) -> int | None:
    if message.guild is not None:
        return message.guild.id
    return getattr(message.channel, "guild_id", None)


def channel_ids(channel: object) -> tuple[int | None, ...]:
    """A channel's id and, for a thread, its parent's: both count as "this channel"."""
    return (getattr(channel, "id", None), getattr(channel, "parent_id", None))
