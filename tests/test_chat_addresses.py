"""Each adapter's chat address: stored as the JSON keys rows always had, read back from
what the store gives, and the only one to judge whether two addresses are one place."""

from __future__ import annotations

from adapters.console import ConsoleChat
from adapters.discord.chat import DiscordChat, stored_change
from adapters.telegram.chat import TelegramChat
from bot.chat import StoredChat


def test_telegram_reads_back_what_it_stored_and_older_rows() -> None:
    chat = TelegramChat(1001, "group", 5, 9, status_message_id=7, status_header="ok")
    assert TelegramChat.of(StoredChat(chat.to_json())) == chat
    legacy = {"chat_id": 1001, "chat_type": "private", "message_id": 5, "thread_id": None}
    assert TelegramChat(1001, "private", 5).to_json() == legacy  # no status message yet
    assert TelegramChat.of(StoredChat(legacy)) == TelegramChat(1001, "private", 5)
    odd = TelegramChat.of(StoredChat({"chat_id": "1001", "message_id": True}))
    assert odd.chat_id is None and odd.message_id is None  # never a wrong id: none at all


def test_telegram_same_place_is_the_same_chat() -> None:
    pressed = TelegramChat(1001, "group", 80)
    assert pressed.same_place(StoredChat({"chat_id": 1001, "message_id": 5}))
    assert not pressed.same_place(StoredChat({"chat_id": 1002}))
    assert not TelegramChat().same_place(StoredChat({}))


def test_discord_reads_back_what_it_stored_and_hides_its_token() -> None:
    chat = DiscordChat(
        channel_id=3, guild_id=None, message_id=4, filesize_limit=10, app_id=6,
        token="secret-interaction-token", token_at=12.5, header="accepted",
    )  # fmt: skip
    assert DiscordChat.of(StoredChat(chat.to_json())) == chat
    assert "secret-interaction-token" not in repr(chat)
    assert "secret-interaction-token" not in str(chat)
    prefix = {"channel_id": 3, "guild_id": 2, "message_id": 4, "reply_to": 1, "filesize_limit": 9}
    assert DiscordChat.of(StoredChat(prefix)).to_json().items() >= prefix.items()
    assert chat.same_place(StoredChat(prefix)) and not chat.same_place(StoredChat({}))


def test_discord_drops_malformed_stored_values() -> None:
    odd = {
        "channel_id": "3", "guild_id": True, "message_id": 4.0, "reply_to": None,
        "filesize_limit": [1], "app_id": {}, "token": 5, "token_at": True, "header": None,
    }  # fmt: skip
    assert DiscordChat.of(StoredChat(odd)) == DiscordChat()  # never a wrong value: none at all
    assert DiscordChat.of(StoredChat({"token_at": 7})).token_at == 7.0


def test_discord_changes_a_stored_address_through_its_record() -> None:
    stored = StoredChat({"channel_id": 3, "message_id": 4, "reply_to": 1, "token": "t"})
    changed = stored_change(lambda chat: chat.with_header("accepted"))(stored)
    assert changed == DiscordChat(
        channel_id=3, message_id=4, reply_to=1, token="t", header="accepted"
    )
    assert DiscordChat.of(StoredChat(changed.to_json())) == changed


def test_the_console_and_the_store_claim_no_place() -> None:
    assert ConsoleChat().to_json() == {"console": True}
    assert not ConsoleChat().same_place(ConsoleChat())
    assert not StoredChat({"chat_id": 1}).same_place(StoredChat({"chat_id": 1}))
