"""Group budgets in PostgreSQL, by the rules of the SQLite room (`bot/storage/groups.py`)
on the same SQL (`bot/storage/group_rows.py`).

A reserve paid from a pool locks the pool's row (after its user's rows, as every money
transaction locks users first) and only then sums the pool's use in a statement of its own,
so reserves against one pool, in any process, take turns and each sees what the last
committed: the pool is never overspent. A refund only gives back, so it needs no lock.
"""

from __future__ import annotations

from typing import Any

from bot.storage.base import NewJob, QuotaPolicy
from bot.storage.group_rows import (
    BUDGET_DROP,
    BUDGET_PUT,
    BUDGET_READ,
    MEMBER_CAP_PUT,
    USAGE_ADD,
    USAGE_READ,
    USAGE_REFUND,
    USAGE_SUMS,
    budget_from,
    day_from,
    pool_share,
)
from bot.storage.group_types import GroupBudget, GroupDay
from bot.storage.postgres.connection import PgBase
from bot.storage.postgres.dialect import pg

# The pool's use and the job's record of it in one round trip, once the job is written:
# (chat, day, member, cost, job id).
POOL_PAID = (
    f"WITH usage AS ({pg(USAGE_ADD)}) "
    "UPDATE jobs SET paid_group = $4, group_chat = $1 WHERE id = $5"
)


async def paying_pool(db: Any, job: NewJob, policy: QuotaPolicy) -> GroupBudget | None:
    """The pool that pays for `job`, its row locked until the transaction ends; None for a
    job outside a group, an admin's, or in a chat without a pool."""
    if job.group is None or policy.unlimited:
        return None
    return budget_from(await db.fetchrow(pg(BUDGET_READ) + " FOR UPDATE", job.group))


async def take_from_pool(db: Any, pool: GroupBudget, job: NewJob, policy: QuotaPolicy) -> None:
    """Raise the QuotaError saying why the locked pool cannot pay for the job, if it cannot
    (`mark_paid` takes the credits, with the job written)."""
    member = str(job.user)
    pool_used, member_used = await db.fetchrow(pg(USAGE_SUMS), member, pool.chat, policy.day)
    pool_share(pool, job.cost, pool_used=int(pool_used), member_used=int(member_used))


async def mark_paid(db: Any, pool: GroupBudget, job: NewJob, policy: QuotaPolicy) -> None:
    """Take the job's cost from the pool and record it on the job, in one round trip."""
    await db.execute(POOL_PAID, pool.chat, policy.day, str(job.user), job.cost, job.id)


async def refund_to_pool(db: Any, job_id: str) -> None:
    await db.execute(pg(USAGE_REFUND), job_id)


class PgGroupBudgets(PgBase):
    """The store's room for group budgets."""

    async def set_group_budget(self, chat: str, per_day: int, by: str, now: float) -> GroupBudget:
        budget = budget_from(await self._fetchrow(pg(BUDGET_PUT), chat, per_day, now, by))
        assert budget is not None  # an upsert returns its row
        return budget

    async def set_group_member_cap(
        self, chat: str, per_member: int | None, by: str, now: float
    ) -> GroupBudget | None:
        return budget_from(await self._fetchrow(pg(MEMBER_CAP_PUT), per_member, now, by, chat))

    async def remove_group_budget(self, chat: str) -> bool:
        return await self._execute(pg(BUDGET_DROP), chat) == 1

    async def group_day(self, chat: str, day: str) -> GroupDay | None:
        async def read(db: Any) -> GroupDay | None:
            budget = budget_from(await db.fetchrow(pg(BUDGET_READ), chat))
            return day_from(budget, await db.fetch(pg(USAGE_READ), chat, day))

        return await self._transaction(read)
