"""Group budgets: what the core needs besides the store's pools. A group's admins give
their chat a daily pool of credits (`/groupquota 50`), optionally capped per member
(`/groupquota member 5`); while it has one, every job asked there draws from it and none
from the members' own credits.

Who may set one is the platform's to say (a Telegram chat administrator, a Discord member
with Manage Server), so the adapter hands the core an `AdminCheck` with the command: the
core asks it only for /groupquota, and only once the sender is known not to be a bot admin,
so no other message costs a platform call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeAlias

from bot.command_types import GroupQuotaCommand
from bot.errors import InvalidRequest
from bot.models import MAX_GRANT_CREDITS, UserRef
from bot.storage.group_rows import pool_share
from bot.storage.group_types import GroupDay

# The port: whether the sender administers the chat the command came from. Adapters answer
# from the platform (and may cache briefly); False when the platform cannot say.
AdminCheck: TypeAlias = Callable[[], Awaitable[bool]]


def group_quota_command(words: list[str]) -> GroupQuotaCommand:
    """/groupquota [N | member N | member off | off], as typed; InvalidRequest (the usage)
    for anything else, before any permission or store is asked."""
    match [w.lower() for w in words]:
        case []:
            return GroupQuotaCommand()
        case ["off"]:
            return GroupQuotaCommand("off")
        case ["member", "off"]:
            return GroupQuotaCommand("member")
        case ["member", amount]:
            return GroupQuotaCommand("member", _credits(amount))
        case [amount]:
            return GroupQuotaCommand("set", _credits(amount))
    raise InvalidRequest("usage_groupquota", max=MAX_GRANT_CREDITS)


def _credits(word: str) -> int:
    if word.isascii() and word.isdigit() and 0 < int(word) <= MAX_GRANT_CREDITS:
        return int(word)
    raise InvalidRequest("usage_groupquota", max=MAX_GRANT_CREDITS)


def check_pool(day: GroupDay, user: UserRef, cost: int) -> None:
    """Raise the QuotaError a reserve would for a job of `cost` by `user` from this pool."""
    member = str(user)
    used = day.used.get(member, 0)
    pool_share(day.budget, cost, pool_used=sum(day.used.values()), member_used=used)
