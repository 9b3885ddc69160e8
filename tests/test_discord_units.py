"""The adapter's pure parts (settings, places, command text, URL checks) and its wiring."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import discord
import pytest

from adapters.discord import DiscordAdapter, DiscordSettings
from adapters.discord.media import host_allowed
from adapters.discord.targets import message_parts
from adapters.discord.translate import locale_of, text, user_word
from adapters.runtime import chat_adapters
from bot.bootstrap import ConfigError
from tests.discord_emulator import FakeDiscord
from tests.helpers import make_core


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_ALLOWED_GUILDS", "11, 22")
    monkeypatch.setenv("DISCORD_ALLOWED_CHANNELS", "33")
    monkeypatch.setenv("DISCORD_ALLOW_DMS", "false")
    monkeypatch.setenv("DISCORD_DEV_GUILD", "")
    monkeypatch.setenv("DISCORD_PREFIX", "off")
    settings = DiscordSettings()
    assert settings.allowed_guilds == [11, 22] and settings.allowed_channels == [33]
    assert settings.allow_dms is False and settings.dev_guild is None
    assert settings.prefix == "" and not settings.prefix_enabled


def test_settings_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    settings = DiscordSettings()
    assert settings.prefix == "!" and settings.allow_dms and not settings.allowed_guilds
    assert settings.admin_requires_manage_guild is False


@pytest.mark.parametrize(
    ("guild", "channels", "allowed"),
    [
        (None, (5, None), True),  # DM
        (11, (5, None), True),
        (99, (5, None), False),  # other server
        (11, (6, None), False),  # other channel
        (11, (7, 5), True),  # a thread of an allowed channel
    ],
)
def test_places(guild: int | None, channels: tuple[int | None, ...], allowed: bool) -> None:
    settings = DiscordSettings(_env_file=None, allowed_guilds=[11], allowed_channels=[5])
    assert settings.allows(guild, channels) is allowed


def test_user_words_for_admin_commands() -> None:
    assert user_word("<@!123>") == "123" and user_word("telegram:5") == "telegram:5"


def test_locales_and_texts() -> None:
    assert locale_of(discord.Locale.chinese) == "zh"
    assert locale_of(discord.Locale.taiwan_chinese) == "zh"
    assert locale_of(discord.Locale.american_english) == "en"
    assert text("zh", "no_image").startswith("🖼")
    assert text("en", "button_again") == "↻ Again"  # falls through to the core catalogue


def test_embed_images_come_only_from_discord_media_hosts() -> None:
    assert host_allowed("https://media.discordapp.net/attachments/1/2/a.png", frozenset())
    assert host_allowed("https://images-ext-1.discordapp.net/external/x/a.png", frozenset())
    assert not host_allowed("http://media.discordapp.net/a.png", frozenset())
    assert not host_allowed("https://169.254.169.254/latest", frozenset())
    assert not host_allowed("https://evil.com/discordapp.net.png", frozenset())
    assert host_allowed("http://127.0.0.1:9/cdn/a", frozenset({"127.0.0.1"}))


async def test_runtime_starts_discord_when_its_token_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    core = await make_core(tmp_path, discord_bot_token="fake-token")
    try:
        adapters = chat_adapters(core)
        assert [type(a) for a in adapters] == [DiscordAdapter]
    finally:
        await core.aclose()


@pytest.mark.skipif(
    importlib.util.find_spec("adapters.telegram") is None, reason="no Telegram adapter yet"
)
async def test_telegram_and_discord_share_one_core(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    core = await make_core(tmp_path, discord_bot_token="fake-token", telegram_bot_token="123:fake")
    try:
        names = [a.name for a in chat_adapters(core)]
        assert names == ["telegram", "discord"]
    finally:
        await core.aclose()


async def test_a_rejected_token_is_a_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = await FakeDiscord().start()
    monkeypatch.setattr(discord.http.Route, "BASE", fake.api_base)
    fake.fail_next("GET", r"^/users/@me$", 401, code=0)
    core = await make_core(tmp_path, discord_bot_token="bad-token")
    settings = DiscordSettings(_env_file=None)
    adapter = DiscordAdapter(core, settings, gateway=False)
    try:
        with pytest.raises(ConfigError, match="DISCORD_BOT_TOKEN"):
            await adapter.start()
    finally:
        await adapter.stop()
        await core.aclose()
        await fake.stop()


def test_message_parts_cut_between_lines_and_only_inside_an_overlong_one() -> None:
    assert message_parts("short") == ["short"]
    lines = "\n".join(f"line {i:03}" for i in range(300))  # 2699 characters
    parts = message_parts(lines)
    assert all(len(p) <= 2000 for p in parts) and "\n".join(parts) == lines
    assert parts[1].startswith("line ")  # cut between lines
    long = "a" * 4500
    assert message_parts(f"head\n{long}\ntail") == [
        "head",
        "a" * 2000,
        "a" * 2000,
        "a" * 500 + "\ntail",
    ]
