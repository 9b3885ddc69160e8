"""/groupquota, and what a group's pool means for a job asked there, as a part of
VideoService.

A chat's admins (or a bot admin, in any chat) set the pool; every check of who may runs
before the store is asked anything. In a private chat the command only explains itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot import texts
from bot.command_types import GroupQuotaCommand
from bot.models import UserRef
from bot.replies import Incoming, Reply, seconds_to_midnight, utc_day
from bot.storage.base import Store
from bot.storage.group_types import GroupBudget, GroupDay
from bot.storage.settings_types import AuditEntry


class GroupBudgetCommands:
    """Mixed into VideoService, which provides the store, the clock and `account_admin`."""

    store: Store
    clock: Callable[[], float]
    account_admin: Callable[[UserRef], Awaitable[bool]]

    async def _may_budget(self, msg: Incoming) -> bool:
        """A bot admin may anywhere; anyone else only where the platform says they
        administer the chat (asked last: it may cost the adapter a platform call)."""
        if await self.account_admin(msg.user):
            return True
        return msg.chat_admin is not None and await msg.chat_admin()

    async def _groupquota(self, msg: Incoming, cmd: GroupQuotaCommand, locale: str) -> Reply:
        group = msg.chat.group_key()
        if group is None:
            return Reply(texts.t(locale, "groupquota_private"), error=True)
        if not await self._may_budget(msg):
            return Reply(texts.t(locale, "groupquota_not_admin"), error=True)
        now = self.clock()
        if cmd.action == "show":
            return Reply(_report(await self.store.group_day(group, utc_day(now)), now, locale))
        by = str(msg.user)
        old = await self.store.group_day(group, utc_day(now))
        if cmd.action == "off":
            if not await self.store.remove_group_budget(group):
                return Reply(texts.t(locale, "groupquota_none"))
            await self._audit_budget(msg, group, old, None, now)
            return Reply(texts.t(locale, "groupquota_off"))
        if cmd.action == "set":
            assert cmd.credits is not None  # the parser gives "set" its amount
            budget = await self.store.set_group_budget(group, cmd.credits, by, now)
        else:  # a member cap needs a pool to cap
            capped = await self.store.set_group_member_cap(group, cmd.credits, by, now)
            if capped is None:
                return Reply(texts.t(locale, "groupquota_none"), error=True)
            budget = capped
        await self._audit_budget(msg, group, old, budget, now)
        cap = _cap(budget, locale)
        return Reply(texts.t(locale, "groupquota_set", per_day=budget.per_day, cap=cap))

    async def _audit_budget(
        self, msg: Incoming, group: str, old: GroupDay | None, new: GroupBudget | None, at: float
    ) -> None:
        """Write a group budget change, before and after, to the operator's audit log."""
        before = _describe(old.budget if old is not None else None)
        entry = AuditEntry(
            at, str(msg.user), msg.user.platform, "groupquota", group, before, _describe(new)
        )
        await self.store.record_audit(entry)

    async def _group_left(self, group: str | None, user: UserRef, day: str, locale: str) -> str:
        """`pool_left` for the accepted message ("" without a pool)."""
        left = await pool_left(self.store, group, user, day)
        return "" if left is None else texts.t(locale, "left_group", left=left)


async def pool_left(store: Store, group: str | None, user: UserRef, day: str) -> int | None:
    """What `user` may still take today from `group`'s pool; None without one."""
    pool = await store.group_day(group, day) if group is not None else None
    return None if pool is None else pool.member_left(str(user))


def _describe(budget: GroupBudget | None) -> str:
    """A budget as the audit log shows it: "50/day, 5/member", or "off"."""
    if budget is None:
        return "off"
    cap = "" if budget.per_member is None else f", {budget.per_member}/member"
    return f"{budget.per_day}/day{cap}"


def _cap(budget: GroupBudget, locale: str) -> str:
    if budget.per_member is None:
        return ""
    return texts.t(locale, "groupquota_cap", per_member=budget.per_member)


def _report(day: GroupDay | None, now: float, locale: str) -> str:
    """The pool, today's use and each member's share, the largest first."""
    if day is None:
        return texts.t(locale, "groupquota_none")
    head = texts.t(
        locale, "groupquota_report",
        per_day=day.budget.per_day, cap=_cap(day.budget, locale), used=sum(day.used.values()),
        left=day.pool_left, reset=texts.duration_text(seconds_to_midnight(now), locale),
    )  # fmt: skip
    members = sorted(day.used.items(), key=lambda item: (-item[1], item[0]))
    lines = [texts.t(locale, "groupquota_member_line", member=m, used=u) for m, u in members]
    return "\n".join([head, *(lines or [texts.t(locale, "groupquota_nobody")])])
