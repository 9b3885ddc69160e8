"""How to reach a job's messages from its stored chat context.

The status message is edited through the interaction webhook while its token is fresh
(Discord allows 15 minutes; we stop at 14), then through the channel like any bot message.
New messages mention only the requester and reply to the user's `!video` or to the status.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import discord

from bot.events import DeliveryError

TOKEN_TTL = 14 * 60  # interaction tokens live 15 minutes; keep a minute for slow uploads
MESSAGE_MAX = 2000
TOKEN_GONE = (401, 404)  # the interaction webhook no longer takes this token


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


class Targets:
    """Webhook, channel and reply reference for a job's chat context."""

    def __init__(self, client: discord.Client, clock: Callable[[], float]) -> None:
        self.client = client
        self.clock = clock

    def webhook(self, chat: dict[str, Any]) -> discord.Webhook | None:
        """The interaction's webhook while its token is still good, else None."""
        app_id, token, created = chat.get("app_id"), chat.get("token"), chat.get("token_at")
        if not app_id or not token or created is None:
            return None
        if self.clock() - float(created) >= TOKEN_TTL:
            return None
        return discord.Webhook.partial(int(app_id), str(token), client=self.client)

    def channel(self, chat: dict[str, Any]) -> discord.PartialMessageable:
        guild_id = chat.get("guild_id")
        return self.client.get_partial_messageable(
            int(chat["channel_id"]), guild_id=int(guild_id) if guild_id else None
        )

    def reference(self, chat: dict[str, Any]) -> discord.MessageReference:
        """Reply to the user's `!video` message, or to the status message."""
        target = chat.get("reply_to") or chat.get("message_id")
        if not target:
            missing: discord.MessageReference = discord.utils.MISSING
            return missing
        guild_id = chat.get("guild_id")
        return discord.MessageReference(
            message_id=int(target),
            channel_id=int(chat["channel_id"]),
            guild_id=int(guild_id) if guild_id else None,
            fail_if_not_exists=False,
        )

    def upload_limit(self, chat: dict[str, Any], *, via_interaction: bool) -> int:
        recorded = chat.get("filesize_limit")
        if via_interaction and recorded:
            return int(recorded)  # what Discord told the interaction it accepts
        guild_id = chat.get("guild_id")
        guild = self.client.get_guild(int(guild_id)) if guild_id else None
        if guild is not None:
            return guild.filesize_limit
        return int(recorded or discord.utils.DEFAULT_FILE_SIZE_LIMIT_BYTES)
