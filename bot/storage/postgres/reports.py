"""Operator reports from PostgreSQL: totals, users, the ledger, and what a reconciliation
reads (in one snapshot, so the jobs, the usage and the bonuses agree)."""

from __future__ import annotations

from typing import Any

from bot.models import ACTIVE_STATES
from bot.storage import rows as shared  # the SQL and row shapes both backends use
from bot.storage.account_types import Accounts
from bot.storage.base import LedgerEntry, SpendLine
from bot.storage.postgres.connection import PgBase
from bot.storage.postgres.dialect import pg
from bot.storage.spend_sql import spend_lines, spend_query

KINDS = ("reserve", "charge", "refund", "grant", "purchase", "payment_refund")


class PgReports(PgBase):
    """Read-only views over jobs, users and the ledger, for metrics, admin and benchmarks."""

    async def stats(self, since: float) -> dict[str, int]:
        async def read(db: Any) -> dict[str, int]:
            rows = await db.fetch(
                "SELECT state, COUNT(*) FROM jobs WHERE created_at >= $1 GROUP BY state", since
            )
            spent = await db.fetchval(
                "SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE kind = 'charge' AND at >= $1",
                since,
            )
            users = await db.fetchval(
                'SELECT COUNT(DISTINCT "user") FROM jobs WHERE created_at >= $1', since
            )
            counts = {str(state): int(n) for state, n in rows}
            active = sum(counts.get(s.value, 0) for s in ACTIVE_STATES)
            return shared.stats_from(counts, spent, users, active)

        return await self._run(read)

    async def users(self, day: str) -> list[dict[str, Any]]:
        rows = await self._fetch(pg(shared.USERS_REPORT), day)
        return [dict(zip(shared.USER_KEYS, row, strict=True)) for row in rows]

    async def credit_totals(self) -> dict[str, int]:
        rows = await self._fetch(  # kept by a trigger, see migration 3
            "SELECT k.kind, COALESCE(SUM(t.total), 0) FROM unnest($1::text[]) AS k(kind) "
            "LEFT JOIN credit_totals t ON t.kind = k.kind GROUP BY k.kind",
            list(KINDS),
        )
        return {str(kind): int(total) for kind, total in rows}

    async def spend(self, since: float, by: tuple[str, ...] = ()) -> list[SpendLine]:
        return spend_lines(await self._fetch(pg(spend_query(by)), since))

    async def ledger(self) -> list[LedgerEntry]:
        return [LedgerEntry(*row) for row in await self._fetch(pg(shared.LEDGER_READ))]

    async def accounts(self) -> Accounts:
        async def read(db: Any) -> Accounts:
            async with db.transaction(isolation="repeatable_read", readonly=True):
                rows = [await db.fetch(pg(sql)) for sql in shared.ACCOUNTS_READS]
            return shared.accounts_from(*rows)

        return await self._run(read)
