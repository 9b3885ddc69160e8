"""How to reach a job's messages from its chat record (`DiscordChat`).

The status message is edited through the interaction webhook while its token is fresh
(Discord allows 15 minutes; we stop at 14), then through the channel like any bot message.
New messages mention only the requester and reply to the user's `!video` or to the status.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import cast

import discord

from adapters.discord.chat import DiscordChat
from bot.events import DeliveryError

TOKEN_TTL = 14 * 60  # interaction tokens live 15 minutes; keep a minute for slow uploads
MESSAGE_MAX = 2000
TOKEN_GONE = (401, 404)  # the interaction webhook no longer takes this token


def message_parts(text: str, limit: int = MESSAGE_MAX) -> list[str]:
    """`text` in messages of at most `limit` characters, cut between lines where it can be
    (a long /help: every model of the configured vendors)."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # a line longer than a message: cut it where it must be
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        joined = f"{current}\n{line}" if current else line
        if len(joined) > limit:
            parts.append(current)
            joined = line
        current = joined
    parts.append(current)
    return [p for p in parts if p.strip()] or [text[:limit]]


def mention_only(user_id: str) -> discord.AllowedMentions:
    return discord.AllowedMentions(
        everyone=False, roles=False, replied_user=False, users=[discord.Object(id=int(user_id))]
    )


def delivery_error(exc: discord.HTTPException) -> DeliveryError:
    """429 and 5xx are worth retrying; 403 (no permission), 404 (channel gone) and the
    other 4xx will not get better."""
    status = exc.status
    message = f"Discord answered {status} ({exc.code}): {exc.text[:200]}"
    if status == 429 or status >= 500:
        retry_after = None
        if exc.response is not None:
            with contextlib.suppress(TypeError, ValueError):
                retry_after = float(exc.response.headers.get("Retry-After", ""))
        return DeliveryError(message, retry_after=retry_after)
    return DeliveryError(message, permanent=True)


class NoTarget(Exception):
    """The job's chat record names no channel or message to reach."""


class Targets:
    """Webhook, channel and reply reference for a job's chat record."""

    def __init__(self, client: discord.Client, clock: Callable[[], float]) -> None:
        self.client = client
        self.clock = clock

    def webhook(self, chat: DiscordChat) -> discord.Webhook | None:
        """The interaction's webhook while its token is still good, else None."""
        if not chat.app_id or not chat.token or chat.token_at is None:
            return None
        if self.clock() - chat.token_at >= TOKEN_TTL:
            return None
        return discord.Webhook.partial(chat.app_id, chat.token, client=self.client)

    def channel(self, chat: DiscordChat) -> discord.PartialMessageable:
        if chat.channel_id is None:
            raise NoTarget
        return self.client.get_partial_messageable(chat.channel_id, guild_id=chat.guild_id or None)

    def reference(self, chat: DiscordChat) -> discord.MessageReference:
        """Reply to the user's `!video` message, or to the status message. Without either
        (`!show`), None: `send`'s own default, which its type hints leave out (it refuses
        MISSING)."""
        target = chat.reply_to or chat.message_id
        if not target or chat.channel_id is None:
            return cast(discord.MessageReference, None)
        return discord.MessageReference(
            message_id=target,
            channel_id=chat.channel_id,
            guild_id=chat.guild_id or None,
            fail_if_not_exists=False,
        )

    def upload_limit(self, chat: DiscordChat, *, via_interaction: bool) -> int:
        recorded = chat.filesize_limit
        if via_interaction and recorded:
            return recorded  # what Discord told the interaction it accepts
        guild = self.client.get_guild(chat.guild_id) if chat.guild_id else None
        if guild is not None:
            return guild.filesize_limit
        return recorded or discord.utils.DEFAULT_FILE_SIZE_LIMIT_BYTES
