"""Waiting out Telegram's flood control (RetryAfter) instead of failing."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram.error import RetryAfter

from adapters.telegram.translate import retry_seconds

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
