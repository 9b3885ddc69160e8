"""Direct messages to the bot's admins (ADMIN_USER_IDS) about the operator's business: a
vendor's balance low or out of credits, the day's spend cap reached. Each chat adapter that
can message a user privately registers how; an admin on a platform not running is skipped.

Every notice is also a log line, so an operator without chat admins still sees it. A notice
is announced once per change of its alert (see Store.set_alert), never per job.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot import texts
from bot.models import UserRef

log = logging.getLogger("videobot.admin")

# (the admin's id on the platform, the text) -> sent; raises when it could not be.
DirectMessage = Callable[[str, str], Awaitable[None]]


class AdminNotices:
    def __init__(self, admin_ids: list[str]) -> None:
        self.admin_ids = admin_ids
        self.senders: dict[str, DirectMessage] = {}

    def register(self, platform: str, send: DirectMessage) -> None:
        """How this platform's adapter writes to one of its users privately."""
        self.senders[platform] = send

    async def notify(self, key: str, **values: object) -> int:
        """Tell every admin that a running adapter can reach (in English: admins configure
        the bot) and log it; returns how many were told."""
        text = texts.t("en", key, **values)
        log.warning("admin notice: %s", text)
        told = 0
        for ref in self.admin_ids:
            try:
                user = UserRef.checked(ref)
            except ValueError:
                continue
            send = self.senders.get(user.platform)
            if send is None:
                continue
            try:
                await send(user.id, text)
                told += 1
            except Exception as exc:  # e.g. an admin who never opened a chat with the bot
                log.warning("admin notice to %s not sent: %s", ref, exc)
        return told
