"""Group budgets in SQL both backends share (PostgreSQL's through `postgres.dialect.pg`),
and the rule a reserve applies to a pool, whichever database holds it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.errors import QuotaError
from bot.storage.group_types import GroupBudget, GroupDay

# Migration: the pools, their use per day and member, and what each job took from which.
GROUP_BUDGETS = """
    CREATE TABLE group_budgets (
        chat TEXT PRIMARY KEY,
        per_day INTEGER NOT NULL CHECK (per_day > 0),
        per_member INTEGER CHECK (per_member > 0),
        updated_at REAL NOT NULL,
        updated_by TEXT NOT NULL
    );
    CREATE TABLE group_usage (
        chat TEXT NOT NULL,
        day TEXT NOT NULL,
        user TEXT NOT NULL,
        used INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0),
        PRIMARY KEY (chat, day, user)
    );
    ALTER TABLE jobs ADD COLUMN paid_group INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE jobs ADD COLUMN group_chat TEXT;
"""

BUDGET_COLUMNS = "chat, per_day, per_member, updated_at, updated_by"
BUDGET_READ = f"SELECT {BUDGET_COLUMNS} FROM group_budgets WHERE chat = ?"
# (chat, per_day, now, by): a new pool, or a new size for the one there
BUDGET_PUT = (
    f"INSERT INTO group_budgets ({BUDGET_COLUMNS}) VALUES (?, ?, NULL, ?, ?) "
    "ON CONFLICT (chat) DO UPDATE SET per_day = excluded.per_day, "
    f"updated_at = excluded.updated_at, updated_by = excluded.updated_by RETURNING {BUDGET_COLUMNS}"
)
MEMBER_CAP_PUT = (
    "UPDATE group_budgets SET per_member = ?, updated_at = ?, updated_by = ? "
    f"WHERE chat = ? RETURNING {BUDGET_COLUMNS}"
)
BUDGET_DROP = "DELETE FROM group_budgets WHERE chat = ?"
USAGE_READ = "SELECT user, used FROM group_usage WHERE chat = ? AND day = ? AND used > 0"
# (chat, day, member): the pool's use that day, and the member's
USAGE_SUMS = (
    "SELECT COALESCE(SUM(used), 0), COALESCE(SUM(CASE WHEN user = ? THEN used ELSE 0 END), 0) "
    "FROM group_usage WHERE chat = ? AND day = ?"
)
USAGE_ADD = (
    "INSERT INTO group_usage (chat, day, user, used) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (chat, day, user) DO UPDATE SET used = group_usage.used + excluded.used"
)
JOB_PAID = "UPDATE jobs SET paid_group = ?, group_chat = ? WHERE id = ?"
# A refunded job's share back to the pool it came from (nothing for a job paid otherwise).
USAGE_REFUND = (
    "UPDATE group_usage SET used = used - j.paid_group FROM jobs AS j "
    "WHERE j.id = ? AND j.paid_group > 0 AND group_usage.chat = j.group_chat "
    "AND group_usage.day = j.quota_day AND group_usage.user = j.user"
)


def budget_from(row: Iterable[Any] | None) -> GroupBudget | None:
    if row is None:
        return None
    chat, per_day, per_member, at, by = row
    return GroupBudget(str(chat), int(per_day), per_member, float(at), str(by))


def day_from(budget: GroupBudget | None, usage: Iterable[Any]) -> GroupDay | None:
    if budget is None:
        return None
    return GroupDay(budget, {str(user): int(used) for user, used in usage})


def pool_share(budget: GroupBudget, cost: int, *, pool_used: int, member_used: int) -> None:
    """Raise the QuotaError for a job of `cost` the pool cannot pay today: the pool used up,
    or the member's share. The members' own credits are never a fallback: a group's jobs
    are the group's."""
    left = max(0, budget.per_day - pool_used)
    if cost > left:
        raise QuotaError("err_group_pool", cost=cost, left=left)
    cap = budget.per_member
    if cap is not None and cost > max(0, cap - member_used):
        raise QuotaError("err_group_member", cost=cost, left=max(0, cap - member_used), cap=cap)


def pool_note(budget: GroupBudget | None, cost: int) -> str:
    """The reserve's ledger note: its own credits are 0 when a pool pays, so say which."""
    return "" if budget is None else f"group {budget.chat}: {cost}"
