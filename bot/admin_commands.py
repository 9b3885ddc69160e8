"""The chat commands for admins (/grant, /ban, /unban, /stats), as a part of VideoService.

Targets and amounts are checked here as in the admin CLI: a typo never creates a user no
one can be, and a grant stays within bounds.
"""

from __future__ import annotations

from collections.abc import Callable

from bot import texts
from bot.commands import ParsedCommand
from bot.errors import InvalidRequest
from bot.models import MAX_GRANT_CREDITS, UserRef, parse_credits
from bot.replies import Incoming, Reply, seconds_to_midnight
from bot.storage.base import Store


class AdminCommands:
    """Mixed into VideoService, which provides the store and the clock."""

    store: Store
    clock: Callable[[], float]

    def _target(self, msg: Incoming, word: str) -> UserRef:
        try:
            return UserRef.checked(word if ":" in word else f"{msg.user.platform}:{word}")
        except ValueError:
            raise InvalidRequest("err_user_id") from None

    async def _cmd_grant(self, msg: Incoming, cmd: ParsedCommand, locale: str) -> Reply:
        if len(cmd.args) != 2:
            return Reply(texts.t(locale, "usage_grant"), error=True)
        user = self._target(msg, cmd.args[0])
        try:
            credits = parse_credits(cmd.args[1])
        except ValueError:
            return Reply(texts.t(locale, "usage_grant_amount", max=MAX_GRANT_CREDITS), error=True)
        bonus = await self.store.grant(user, credits, self.clock(), note=f"by {msg.user}")
        return Reply(texts.t(locale, "grant_ok", user=user, bonus=bonus))

    async def _ban(self, msg: Incoming, cmd: ParsedCommand, locale: str, banned: bool) -> Reply:
        if len(cmd.args) != 1:
            return Reply(texts.t(locale, "usage_user", command=cmd.name), error=True)
        user = self._target(msg, cmd.args[0])
        await self.store.set_banned(user, banned, self.clock())
        return Reply(texts.t(locale, "ban_ok" if banned else "unban_ok", user=user))

    async def _cmd_ban(self, msg: Incoming, cmd: ParsedCommand, locale: str) -> Reply:
        return await self._ban(msg, cmd, locale, True)

    async def _cmd_unban(self, msg: Incoming, cmd: ParsedCommand, locale: str) -> Reply:
        return await self._ban(msg, cmd, locale, False)

    async def _cmd_stats(self, msg: Incoming, cmd: ParsedCommand, locale: str) -> Reply:
        now = self.clock()
        since = now - (86400 - seconds_to_midnight(now))
        return Reply(texts.t(locale, "stats", **(await self.store.stats(since))))
