"""The Discord sink reaches a job's messages through its typed chat record, as stored."""

from __future__ import annotations

from dataclasses import replace

import discord
import pytest

from adapters.discord.chat import DiscordChat
from adapters.discord.targets import TOKEN_TTL, NoTarget
from bot.chat import StoredChat
from bot.models import Job, JobRequest, JobState, Mode, UserRef
from tests.discord_emulator import APP_ID, CHANNEL_ID, GUILD_ID, USER_ID, Harness

SECRET = "secret-interaction-token"


def _job(chat: StoredChat) -> Job:
    return Job(
        id="e" * 32,
        user=UserRef("discord", str(USER_ID)),
        state=JobState.RUNNING,
        request=JobRequest("x", Mode.TEXT, duration=5),
        cost=1,
        chat=chat,
    )


async def test_the_interaction_webhook_is_used_only_while_its_token_is_fresh(h: Harness) -> None:
    targets = h.adapter.sink.targets
    fresh = DiscordChat(channel_id=CHANNEL_ID, app_id=APP_ID, token=SECRET, token_at=h.clock())
    hook = targets.webhook(fresh)
    assert hook is not None and hook.id == APP_ID and hook.token == SECRET
    assert targets.webhook(replace(fresh, token_at=h.clock() - TOKEN_TTL)) is None
    assert targets.webhook(replace(fresh, token=None)) is None
    assert targets.webhook(replace(fresh, token_at=None)) is None
    assert targets.webhook(DiscordChat(channel_id=CHANNEL_ID)) is None


async def test_channel_reply_and_upload_limit_come_from_the_record(h: Harness) -> None:
    targets = h.adapter.sink.targets
    chat = DiscordChat(channel_id=CHANNEL_ID, guild_id=GUILD_ID, message_id=4, filesize_limit=99)
    channel = targets.channel(chat)
    assert channel.id == CHANNEL_ID and channel.guild_id == GUILD_ID
    assert targets.channel(replace(chat, guild_id=None)).guild_id is None
    with pytest.raises(NoTarget):
        targets.channel(DiscordChat(guild_id=GUILD_ID))

    status_reply = targets.reference(chat)  # a slash command: reply to the status message
    assert (status_reply.message_id, status_reply.channel_id) == (4, CHANNEL_ID)
    assert status_reply.guild_id == GUILD_ID and not status_reply.fail_if_not_exists
    assert targets.reference(replace(chat, reply_to=3)).message_id == 3  # the `!video` message
    assert targets.reference(DiscordChat(channel_id=CHANNEL_ID)) is None  # send's default

    assert targets.upload_limit(chat, via_interaction=True) == 99  # what the interaction said
    assert targets.upload_limit(chat, via_interaction=False) == 99  # no cached guild here
    default = discord.utils.DEFAULT_FILE_SIZE_LIMIT_BYTES
    assert targets.upload_limit(DiscordChat(), via_interaction=True) == default


async def test_a_status_holds_the_stored_record_and_never_shows_its_token(h: Harness) -> None:
    stored = StoredChat(
        {"channel_id": CHANNEL_ID, "message_id": 4, "app_id": APP_ID, "token": SECRET,
         "token_at": 1.0, "header": "accepted"}
    )  # fmt: skip
    status = h.adapter.sink.board.status(_job(stored))
    assert status.chat == DiscordChat.of(stored) and status.header == "accepted"
    assert SECRET not in repr(status) and SECRET not in str(status)
