"""Group budgets in PostgreSQL, by the rules of the SQLite room (`bot/storage/groups.py`)
on the same SQL (`bot/storage/group_rows.py`).

A reserve paid from a pool locks the pool's row (after its user's rows, as every money
transaction locks users first) and only then sums the pool's use in a statement of its own,
so reserves against one pool, in any process, take turns and each sees what the last
committed: the pool is never overspent. A refund only gives back, so it needs no lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass(slots=True)
class PoolBook:
    """The pools a batch of reserves pays from (`reserves.py`): each locked once, by chat
    after the users' rows, its use read once, then counted here as the batch takes from it,
    so the batch's reserves against one pool see each other as one-by-one reserves would."""

    pools: dict[str, GroupBudget | None] = field(default_factory=dict)
    used: dict[tuple[str, str], int] = field(default_factory=dict)  # (chat, day) -> credits
    member: dict[tuple[str, str, str], int] = field(default_factory=dict)  # + member
    paid: list[tuple[str, str, str, int, str]] = field(default_factory=list)  # POOL_PAID's

    async def lock(self, db: Any, jobs: list[tuple[NewJob, QuotaPolicy]]) -> None:
        chats = {job.group for job, policy in jobs if job.group and not policy.unlimited}
        for chat in sorted(chats):
            self.pools[chat] = budget_from(await db.fetchrow(pg(BUDGET_READ) + " FOR UPDATE", chat))

    def of(self, job: NewJob, policy: QuotaPolicy) -> GroupBudget | None:
        """The pool that pays for `job`: None outside a group, for an admin, or in a chat
        without a pool."""
        if job.group is None or policy.unlimited:
            return None
        return self.pools.get(job.group)

    async def take(self, db: Any, pool: GroupBudget, job: NewJob, policy: QuotaPolicy) -> None:
        """Count the job's cost against the pool, or raise the QuotaError saying why not."""
        key, member = (pool.chat, policy.day), str(job.user)
        if (*key, member) not in self.member:  # the database's figures, once
            pool_used, member_used = await db.fetchrow(pg(USAGE_SUMS), member, *key)
            self.used.setdefault(key, int(pool_used))
            self.member[(*key, member)] = int(member_used)
        pool_share(
            pool, job.cost, pool_used=self.used[key], member_used=self.member[(*key, member)]
        )
        self.used[key] += job.cost
        self.member[(*key, member)] += job.cost
        self.paid.append((*key, member, job.cost, job.id))

    async def write(self, db: Any) -> None:
        """The pools' use and the jobs' record of it, once the jobs are written."""
        if self.paid:
            await db.executemany(POOL_PAID, self.paid)


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
