"""Waiting out Telegram's flood control (RetryAfter) instead of failing."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Bot
from telegram.error import RetryAfter, TelegramError

from adapters.telegram.translate import redact, retry_seconds

log = logging.getLogger("videobot.telegram")

T = TypeVar("T")

FLOOD_ATTEMPTS = 6
MAX_FLOOD_WAIT = 600.0  # a single wait longer than this is Telegram telling us to stop


async def patiently(call: Callable[[], Awaitable[T]], *, what: str = "request") -> T:
    """Run a Bot API call, sleeping through RetryAfter answers; other errors propagate.

    Use it where waiting is fine (handlers, background tasks), never inside an engine
    callback that must return quickly.
    """
    attempt = 0
    while True:
        try:
            return await call()
        except RetryAfter as exc:
            attempt += 1
            wait = retry_seconds(exc)
            if attempt >= FLOOD_ATTEMPTS or wait > MAX_FLOOD_WAIT:
                raise
            log.warning("flood control on %s: waiting %.0fs", what, wait)
            await asyncio.sleep(wait)


async def delete_quietly(bot: Bot, chat_id: int, message_id: int, token: str = "") -> None:
    """Delete a bot message (GROUP_CLEANUP's status message); a message already gone, or
    one the bot may no longer delete, is only logged."""
    try:
        await patiently(lambda: bot.delete_message(chat_id, message_id), what="delete")
    except TelegramError as exc:
        log.info("cannot delete message %s: %s", message_id, redact(exc.message, token))
