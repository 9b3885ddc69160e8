"""/link and /unlink: one account across platforms, as a part of VideoService.

A code is 8 characters from a 32-letter alphabet (40 bits), single use, valid for
LINK_CODE_TTL; the store keeps only its SHA-256, and it is never logged. Each user may try
LINK_TRIES codes per LINK_CODE_TTL (and everyone together LINK_TRIES_TOTAL), so guessing a
live code is hopeless: a million users trying together would need decades for one hit.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

from bot import texts
from bot.command_types import LinkCommand, UnlinkCommand
from bot.config import Settings
from bot.models import UserRef
from bot.replies import Incoming, Reply, utc_day
from bot.storage.base import Store

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or retyped
CODE_LENGTH = 8
LINK_CODE_TTL = 600.0
LINK_TRIES = 5
LINK_TRIES_TOTAL = 1000


def needs_private_chat(command: object) -> bool:
    """A new code is shown only in a private chat: whoever reads it first may join their
    account to the asker's. (Discord's slash reply is private already.)"""
    return isinstance(command, LinkCommand) and not command.code


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def code_hash(code: str) -> str:
    """The stored form of a code as typed (case, spaces and dashes do not matter)."""
    cleaned = "".join(code.split()).replace("-", "").upper()
    return hashlib.sha256(cleaned.encode()).hexdigest()


class Tries:
    """Link codes tried per user (and in all) within the last window, in memory."""

    def __init__(self, per_user: int = LINK_TRIES, total: int = LINK_TRIES_TOTAL) -> None:
        self.per_user = per_user
        self.total = total
        self._at: dict[str, list[float]] = {}

    def allow(self, user: str, now: float) -> bool:
        since = now - LINK_CODE_TTL
        self._at = {u: kept for u, at in self._at.items() if (kept := [t for t in at if t > since])}
        mine = self._at.setdefault(user, [])
        if len(mine) >= self.per_user or sum(map(len, self._at.values())) >= self.total:
            return False
        mine.append(now)
        return True


class LinkCommands:
    """Mixed into VideoService, which provides the settings, the store and the clock."""

    settings: Settings
    store: Store
    clock: Callable[[], float]
    link_tries: Tries

    async def account_admin(self, user: UserRef) -> bool:
        """Admin rights follow the account: any of its users named in ADMIN_USER_IDS."""
        if self.settings.is_admin(user):
            return True
        if not self.settings.admin_user_ids:
            return False
        linked = await self.store.linked_users(str(user))
        return any(self.settings.is_admin(UserRef.parse(u)) for u in linked)

    async def _link(self, msg: Incoming, cmd: LinkCommand, locale: str) -> Reply:
        now = self.clock()
        minutes = round(LINK_CODE_TTL / 60)
        if not cmd.code:
            code = new_code()
            await self.store.put_link_code(str(msg.user), code_hash(code), now + LINK_CODE_TTL, now)
            return Reply(texts.t(locale, "link_code", code=code, minutes=minutes))
        if not self.link_tries.allow(str(msg.user), now):
            return Reply(texts.t(locale, "link_slow_down", minutes=minutes), error=True)
        result = await self.store.link_users(code_hash(cmd.code), str(msg.user), now)
        text = texts.t(locale, result.key, account=result.account, moved=result.moved)
        return Reply(text, error=result.key != "link_done")

    async def _unlink(self, msg: Incoming, cmd: UnlinkCommand, locale: str) -> Reply:
        now = self.clock()
        per_day = self.settings.quota_credits_per_day
        result = await self.store.unlink_user(str(msg.user), now, utc_day(now), per_day)
        text = texts.t(locale, result.key, account=result.account)
        return Reply(text, error=result.key != "unlink_done")
