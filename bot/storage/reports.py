"""Operator reports from SQLite: totals, users, the ledger, and what a reconciliation reads."""

from __future__ import annotations

import sqlite3
from typing import Any

from bot.models import ACTIVE_STATES
from bot.storage.account_types import Accounts
from bot.storage.base import LedgerEntry, SpendLine
from bot.storage.batching import Batcher, Kind
from bot.storage.rows import (
    ACCOUNTS_READS,
    LEDGER_READ,
    USER_KEYS,
    USERS_REPORT,
    accounts_from,
    stats_from,
)
from bot.storage.spend_sql import spend_lines, spend_query


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
        return stats_from(counts, spent, users, active)

    async def users(self, day: str) -> list[dict[str, Any]]:
        rows = await self._all(USERS_REPORT, (day,))
        return [dict(zip(USER_KEYS, row, strict=True)) for row in rows]

    async def credit_totals(self) -> dict[str, int]:
        rows = await self._all("SELECT kind, total FROM credit_totals")  # see migration 3
        return {str(kind): int(total) for kind, total in rows}

    async def spend(self, since: float, by: tuple[str, ...] = ()) -> list[SpendLine]:
        return spend_lines(await self._all(spend_query(by), (since,)))

    async def ledger(self) -> list[LedgerEntry]:
        return [LedgerEntry(*row) for row in await self._all(LEDGER_READ)]

    async def accounts(self) -> Accounts:
        def read(db: sqlite3.Connection) -> Accounts:
            snapshot = not db.in_transaction  # one read transaction: the three agree
            if snapshot:
                db.execute("BEGIN")
            try:
                rows = [db.execute(sql).fetchall() for sql in ACCOUNTS_READS]
            finally:
                if snapshot:
                    db.execute("COMMIT")
            return accounts_from(*rows)

        return await self._call(read, Kind.READ)
