"""The adapters' settings an admin may change at run time (their allowed chats, servers and
channels), each checked by the settings class that reads it from the environment (see
bot/settings_keys.py). Each adapter adds its own to the running bot's (so a console bot
never loads a chat platform's library); `videobot settings` lists them all."""

from __future__ import annotations

from bot.settings_keys import CORE_KEYS, SettingKey


def telegram_keys() -> tuple[SettingKey, ...]:
    from adapters.telegram.settings import TelegramSettings

    return (SettingKey("TELEGRAM_ALLOWED_CHATS", TelegramSettings, "allowed_chats"),)


def discord_keys() -> tuple[SettingKey, ...]:
    from adapters.discord.settings import DiscordSettings

    return (
        SettingKey("DISCORD_ALLOWED_GUILDS", DiscordSettings, "allowed_guilds"),
        SettingKey("DISCORD_ALLOWED_CHANNELS", DiscordSettings, "allowed_channels"),
    )


def all_keys() -> tuple[SettingKey, ...]:
    """Every changeable setting, the core's first."""
    return (*CORE_KEYS, *telegram_keys(), *discord_keys())
