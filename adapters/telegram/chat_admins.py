"""Whether a Telegram user administers a group: the port the core asks for /groupquota.

Telegram says so through getChatMember (status `creator` or `administrator`). The answer
is remembered for a minute per chat and user, so a few /groupquota in a row cost one call;
it is only ever asked for that command, never per message. When Telegram cannot answer,
the user is not taken for an admin (and nothing is remembered).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telegram import Bot
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from adapters.telegram.flood import patiently
from adapters.telegram.translate import redact
from bot.group_budget import AdminCheck

log = logging.getLogger("videobot.telegram")

ADMIN_STATUSES = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)
TTL = 60.0  # seconds an answer is trusted: a demotion takes effect within it
MAX_REMEMBERED = 4096  # answers kept; all forgotten at once when full


class ChatAdmins:
    """getChatMember answers, remembered briefly."""

    def __init__(
        self, token: str = "", *, ttl: float = TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.token = token  # only to keep it out of logged errors
        self.ttl = ttl
        self.clock = clock
        self._seen: dict[tuple[int, int], tuple[bool, float]] = {}

    def check(self, bot: Bot, chat_id: int, user_id: int) -> AdminCheck:
        """The core's port for one command: asks Telegram only when called."""

        async def is_admin() -> bool:
            return await self.is_admin(bot, chat_id, user_id)

        return is_admin

    async def is_admin(self, bot: Bot, chat_id: int, user_id: int) -> bool:
        key = (chat_id, user_id)
        now = self.clock()
        seen = self._seen.get(key)
        if seen is not None and now - seen[1] < self.ttl:
            return seen[0]
        try:
            member = await patiently(
                lambda: bot.get_chat_member(chat_id, user_id), what="getChatMember"
            )
        except TelegramError as exc:
            log.warning("getChatMember failed: %s", redact(str(exc), self.token))
            return False
        admin = member.status in ADMIN_STATUSES
        if len(self._seen) >= MAX_REMEMBERED:
            self._seen.clear()
        self._seen[key] = (admin, now)
        return admin
