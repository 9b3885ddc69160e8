"""The chat commands for admins (/grant, /ban, /unban, /stats), as a part of VideoService.

Targets and amounts are checked here as in the admin CLI: a typo never creates a user no
one can be, and a grant stays within bounds. Each grant and ban goes to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable

from bot import texts
from bot.command_types import BanCommand, GrantCommand, StatsCommand
from bot.errors import InvalidRequest
from bot.models import MAX_GRANT_CREDITS, UserRef, parse_credits
from bot.replies import Incoming, Reply, seconds_to_midnight, utc_day
from bot.spend import spend_total, usd
from bot.storage.base import Store
from bot.storage.settings_types import AuditEntry


class AdminCommands:
    """Mixed into VideoService, which provides the store and the clock."""

    store: Store
    clock: Callable[[], float]

    def _target(self, msg: Incoming, word: str) -> UserRef:
        try:
            return UserRef.checked(word if ":" in word else f"{msg.user.platform}:{word}")
        except ValueError:
            raise InvalidRequest("err_user_id") from None

    async def _grant(self, msg: Incoming, cmd: GrantCommand, locale: str) -> Reply:
        if not cmd.user or not cmd.credits:
            return Reply(texts.t(locale, "usage_grant"), error=True)
        user = self._target(msg, cmd.user)
        try:
            credits = parse_credits(cmd.credits)
        except ValueError:
            return Reply(texts.t(locale, "usage_grant_amount", max=MAX_GRANT_CREDITS), error=True)
        now = self.clock()
        before = await self.store.balance(user, utc_day(now))
        bonus = await self.store.grant(user, credits, now, note=f"by {msg.user}")
        await self._audited(msg, "grant", user, str(before.bonus), str(bonus), f"{credits:+d}")
        return Reply(texts.t(locale, "grant_ok", user=user, bonus=bonus))

    async def _ban(self, msg: Incoming, cmd: BanCommand, locale: str) -> Reply:
        if not cmd.user:
            return Reply(texts.t(locale, "usage_user", command=cmd.name), error=True)
        user = self._target(msg, cmd.user)
        before = await self.store.balance(user, utc_day(self.clock()))
        await self.store.set_banned(user, cmd.banned, self.clock())
        await self._audited(msg, cmd.name, user, _banned(before.banned), _banned(cmd.banned))
        return Reply(texts.t(locale, "ban_ok" if cmd.banned else "unban_ok", user=user))

    async def _audited(
        self, msg: Incoming, action: str, user: UserRef, before: str, after: str, note: str = ""
    ) -> None:
        """Write an admin's action on `user` to the audit log."""
        entry = AuditEntry(
            self.clock(), str(msg.user), msg.user.platform, action, str(user), before, after, note
        )
        await self.store.record_audit(entry)

    async def _stats(self, msg: Incoming, cmd: StatsCommand, locale: str) -> Reply:
        now = self.clock()
        since = now - (86400 - seconds_to_midnight(now))
        stats = texts.t(locale, "stats", **(await self.store.stats(since)))
        today = await spend_total(self.store, since)
        week = await spend_total(self.store, now - 7 * 86400)
        money = texts.t(locale, "stats_spend", today=usd(today), week=usd(week))
        return Reply(f"{stats}\n{money}")


def _banned(banned: bool) -> str:
    return "banned" if banned else "allowed"
