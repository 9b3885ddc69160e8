"""The `Store` on PostgreSQL, put together from rooms as the SQLite one is: reserves and
balances (intake.py), money and job state (money.py), bought credits (payments.py), job
reads (reads.py), linked accounts (links.py), group budgets (groups.py), operator reports
(reports.py), render times (renders.py), settings and the audit log (settings.py), vendor
breakers (breakers.py), job leases (leases.py), signals between processes (signals.py) and
the queue they share (queue.py), the schema (migrations.py), all on a pool of connections
(connection.py).

Nothing here assumes one process: every rule holds in the database's transactions and row
locks, and the store holds no state of its own but the pool (and the connection hearing
signals).
"""

from __future__ import annotations

from typing import Any

from bot.storage.postgres.alerts import PgAlerts
from bot.storage.postgres.breakers import PgVendorBreakers
from bot.storage.postgres.connection import create_pool
from bot.storage.postgres.groups import PgGroupBudgets
from bot.storage.postgres.intake import PgIntake
from bot.storage.postgres.leases import PgLeases
from bot.storage.postgres.links import PgLinks
from bot.storage.postgres.migrations import apply_migrations, read_version
from bot.storage.postgres.money import PgMoney
from bot.storage.postgres.payments import PgPayments
from bot.storage.postgres.queue import PgQueue
from bot.storage.postgres.reads import PgReads
from bot.storage.postgres.renders import PgRenderTimes
from bot.storage.postgres.reports import PgReports
from bot.storage.postgres.settings import PgSettings
from bot.storage.postgres.signals import PgSignals


class PostgresStore(
    PgIntake,
    PgMoney,
    PgPayments,
    PgReads,
    PgReports,
    PgAlerts,
    PgRenderTimes,
    PgLinks,
    PgGroupBudgets,
    PgSettings,
    PgVendorBreakers,
    PgLeases,
    PgSignals,
    PgQueue,
):
    """The `Store` for one PostgreSQL database."""

    @classmethod
    async def open(cls, url: str) -> PostgresStore:
        """Connect and migrate; StoreUnavailable, one line naming the database without its
        password, when it cannot be used."""
        store = cls(await create_pool(url), url)
        try:
            await store.migrate()  # its failures are StoreUnavailable already (connection.py)
        except BaseException:
            await store.pool.close()
            raise
        return store

    async def migrate(self) -> int:
        """Apply the missing migrations; returns the schema version."""
        version: int = await self._run(apply_migrations)
        return version

    async def schema_version(self) -> int:
        version: int = await self._run(read_version)
        return version

    def unavailable(self) -> str | None:
        return None  # a lost server shows as StoreUnavailable on the next call

    async def close(self) -> None:
        await self.stop_listening()
        await self.pool.close()

    async def is_empty(self) -> bool:
        """Whether no user, job nor ledger row is stored (a target `copy-db` may fill)."""
        empty: Any = await self._fetchrow(
            "SELECT NOT EXISTS (SELECT 1 FROM users) AND NOT EXISTS (SELECT 1 FROM jobs) "
            "AND NOT EXISTS (SELECT 1 FROM ledger) AND NOT EXISTS (SELECT 1 FROM daily_usage)"
        )
        return bool(empty[0])
