"""Pure translation between Discord and the core: locales, texts, command text, context.

Nothing here sends messages; media downloads live in `media.py`.
"""

from __future__ import annotations

from typing import Any, Literal

import discord
from discord import app_commands

from adapters.discord.chat import DiscordChat
from bot import texts
from bot.command_types import VideoCommand

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
    "settings": "设置",
    "key": "名称",
    "value": "值",
    "reset": "恢复",
    "link": "关联账户",
    "confirm": "确认",
    "unlink": "解除关联",
    "code": "代码",
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


def act_command(
    body: bool, expression: int | None = None, moderation: str | None = None
) -> VideoCommand:
    """/act from its form: the choices and ranges Discord enforces are the core's values."""
    return VideoCommand(act=True, body=body, expression=expression, moderation=moderation or "")


# /video's and /act's moderation field: Runway's publicFigureThreshold values, as choices.
Moderation = Literal["low", "auto"]


def user_word(value: str) -> str:
    """A target for /grant /ban /unban: `<@123>` and `123` -> `123`; `telegram:5` stays."""
    value = value.strip()
    if value.startswith("<@") and value.endswith(">"):
        value = value[2:-1].lstrip("!&")
    return value.split()[0] if value else value


# reply context, persisted with the job


def interaction_chat(interaction: discord.Interaction, message_id: int | None) -> DiscordChat:
    """Where the job's status message lives and how to reach it, for the sink."""
    return DiscordChat(
        channel_id=interaction.channel_id,
        guild_id=interaction.guild_id,
        app_id=interaction.application_id,
        token=interaction.token,
        token_at=interaction.created_at.timestamp(),
        message_id=message_id,
        filesize_limit=interaction.filesize_limit,
    )


def message_chat(message: discord.Message, status_id: int, filesize_limit: int) -> DiscordChat:
    return DiscordChat(
        channel_id=message.channel.id,
        guild_id=guild_id_of(message),
        message_id=status_id,
        reply_to=message.id,
        filesize_limit=filesize_limit,
    )


def guild_id_of(message: discord.Message) -> int | None:
    if message.guild is not None:
        return message.guild.id
    return getattr(message.channel, "guild_id", None)


def channel_ids(channel: object) -> tuple[int | None, ...]:
    """A channel's id and, for a thread, its parent's: both count as "this channel"."""
    return (getattr(channel, "id", None), getattr(channel, "parent_id", None))
