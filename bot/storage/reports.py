"""Operator reports from SQLite: totals, users, the ledger, and what a reconciliation reads."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from bot.models import ACTIVE_STATES
from bot.storage.base import Accounts, DailyUsage, JobAccount, LedgerEntry
from bot.storage.batching import Batcher, Kind


class Reports(Batcher):
    """Read-only views over jobs, users and the ledger, for metrics, admin and benchmarks."""

    async def stats(self, since: float) -> dict[str, int]:
        counts = dict(
            await self._all(
                "SELECT state, COUNT(*) FROM jobs WHERE created_at >= ? GROUP BY state", (since,)
            )
        )
        (spent,) = await self._one(
            "SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE kind = 'charge' AND at >= ?",
            (since,),
        )
        (users,) = await self._one(
            "SELECT COUNT(DISTINCT user) FROM jobs WHERE created_at >= ?", (since,)
        )
        active = sum(counts.get(s.value, 0) for s in ACTIVE_STATES)
        return {
            "jobs": sum(counts.values()),
            "delivered": counts.get("delivered", 0),
            "failed": counts.get("failed", 0) + counts.get("cancelled", 0),
            "active": active,
            "spent": int(spent),
            "users": int(users),
        }

    async def users(self, day: str) -> list[dict[str, Any]]:
        rows = await self._all(
            "SELECT u.user, u.bonus, u.banned, COALESCE(d.used, 0), "
            "(SELECT COUNT(*) FROM jobs j WHERE j.user = u.user), "
            "(SELECT COUNT(*) FROM jobs j WHERE j.user = u.user AND j.state = 'delivered'), "
            "(SELECT COALESCE(SUM(amount), 0) FROM ledger l "
            " WHERE l.user = u.user AND l.kind = 'charge') "
            "FROM users u LEFT JOIN daily_usage d ON d.user = u.user AND d.day = ? ORDER BY u.user",
            (day,),
        )
        keys = ("user", "bonus", "banned", "used_today", "jobs", "delivered", "spent")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    async def credit_totals(self) -> dict[str, int]:
        rows = await self._all("SELECT kind, total FROM credit_totals")  # see migration 3
        return {str(kind): int(total) for kind, total in rows}

    async def ledger(self) -> list[LedgerEntry]:
        rows = await self._all(
            "SELECT id, at, user, job_id, kind, amount, note, payment_id FROM ledger ORDER BY id"
        )
        return [LedgerEntry(*row) for row in rows]

    async def accounts(self) -> Accounts:
        def read(db: sqlite3.Connection) -> Accounts:
            snapshot = not db.in_transaction  # one read transaction: the three agree
            if snapshot:
                db.execute("BEGIN")
            try:
                jobs = db.execute(
                    "SELECT id, user, state, settled, cost, paid_daily, paid_bonus, quota_day, "
                    "request, vendor, vendor_task_id, error_code, paid_purchased FROM jobs"
                ).fetchall()
                usage = db.execute("SELECT user, day, used FROM daily_usage").fetchall()
                balances = db.execute("SELECT user, bonus, purchased FROM users").fetchall()
            finally:
                if snapshot:
                    db.execute("COMMIT")
            return Accounts(
                jobs=[_account(row) for row in jobs],
                usage=[DailyUsage(*row) for row in usage],
                bonuses={str(user): int(bonus) for user, bonus, _ in balances},
                purchased={str(user): int(bought) for user, _, bought in balances},
            )

        return await self._call(read, Kind.READ)


def _account(row: tuple[Any, ...]) -> JobAccount:
    jid, user, state, settled, cost, daily, bonus, day, request, vendor, task, code, bought = row
    return JobAccount(
        id=jid, user=user, state=state, settled=settled, cost=cost, paid_daily=daily,
        paid_bonus=bonus, quota_day=day, request=json.loads(request), vendor=vendor,
        vendor_task_id=task, error_code=code, paid_purchased=bought,
    )  # fmt: skip
