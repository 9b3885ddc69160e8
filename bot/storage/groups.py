"""Group budgets in SQLite: the pools' settings and use, and what a reserve and a refund
do to a pool (called from money.py inside their transactions, so a pool's credits move
with the job they pay for)."""

from __future__ import annotations

import sqlite3

from bot.storage.base import NewJob, QuotaPolicy
from bot.storage.batching import Batcher, Kind
from bot.storage.group_rows import (
    BUDGET_DROP,
    BUDGET_PUT,
    BUDGET_READ,
    JOB_PAID,
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


def paying_pool(db: sqlite3.Connection, job: NewJob, policy: QuotaPolicy) -> GroupBudget | None:
    """The pool that pays for `job`: its chat's, when it has one and the user is no admin
    (admins pay nothing anywhere)."""
    if job.group is None or policy.unlimited:
        return None
    return budget_from(db.execute(BUDGET_READ, (job.group,)).fetchone())


def take_from_pool(
    db: sqlite3.Connection, pool: GroupBudget, job: NewJob, policy: QuotaPolicy
) -> None:
    """Take the job's cost from the pool, or raise the QuotaError saying why it cannot."""
    member = str(job.user)
    pool_used, member_used = db.execute(USAGE_SUMS, (member, pool.chat, policy.day)).fetchone()
    pool_share(pool, job.cost, pool_used=pool_used, member_used=member_used)
    db.execute(USAGE_ADD, (pool.chat, policy.day, member, job.cost))


def mark_paid(db: sqlite3.Connection, pool: GroupBudget, job: NewJob) -> None:
    """Record on the job (written just before) what it took from which pool, for its refund."""
    db.execute(JOB_PAID, (job.cost, pool.chat, job.id))


def refund_to_pool(db: sqlite3.Connection, job_id: str) -> None:
    db.execute(USAGE_REFUND, (job_id,))


class GroupBudgets(Batcher):
    """The store's room for group budgets."""

    async def set_group_budget(self, chat: str, per_day: int, by: str, now: float) -> GroupBudget:
        def put(db: sqlite3.Connection) -> GroupBudget:
            budget = budget_from(db.execute(BUDGET_PUT, (chat, per_day, now, by)).fetchone())
            assert budget is not None  # an upsert returns its row
            return budget

        return await self._transaction(put)

    async def set_group_member_cap(
        self, chat: str, per_member: int | None, by: str, now: float
    ) -> GroupBudget | None:
        def put(db: sqlite3.Connection) -> GroupBudget | None:
            return budget_from(db.execute(MEMBER_CAP_PUT, (per_member, now, by, chat)).fetchone())

        return await self._transaction(put)

    async def remove_group_budget(self, chat: str) -> bool:
        return await self._write(BUDGET_DROP, (chat,)) == 1

    async def group_day(self, chat: str, day: str) -> GroupDay | None:
        def read(db: sqlite3.Connection) -> GroupDay | None:
            budget = budget_from(db.execute(BUDGET_READ, (chat,)).fetchone())
            return day_from(budget, db.execute(USAGE_READ, (chat, day)).fetchall())

        return await self._call(read, Kind.READ)
