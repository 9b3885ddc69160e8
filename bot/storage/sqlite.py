"""SQLite storage through aiosqlite, in WAL mode, with numbered migrations.

The store is put together from rooms, each a module: the batching executor that runs every
call (batching.py), money and job state (money.py), job reads (job_reads.py), operator
reports (reports.py), bought credits (payments.py), group budgets (groups.py), render
times (renders.py), settings changed at run time and the audit log (settings.py), vendor
breakers (breakers.py), job leases (leases.py), the shared queue's claim (queue.py) and the
schema (migrations.py). Commits do not fsync (WAL, synchronous=NORMAL) and checkpoints,
which do, run in a worker thread (checkpoint.py).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiosqlite

from bot.storage.alerts import Alerts
from bot.storage.breakers import VendorBreakers
from bot.storage.checkpoint import Checkpointer
from bot.storage.errors import StoreUnavailable
from bot.storage.groups import GroupBudgets
from bot.storage.job_reads import JobReads
from bot.storage.leases import Leases
from bot.storage.links import LinkOps
from bot.storage.migrations import MIGRATIONS as MIGRATIONS  # doctor and tests read it here
from bot.storage.migrations import apply_migrations
from bot.storage.money import MoneyOps
from bot.storage.opening import close_quietly, connect, sqlite_problem, unavailable
from bot.storage.payments import PaymentOps
from bot.storage.queue import Queue
from bot.storage.renders import RenderTimes
from bot.storage.reports import Reports
from bot.storage.settings import SettingsOps
from bot.storage.watch import FileWatch


class SqliteStore(
    MoneyOps,
    PaymentOps,
    JobReads,
    Reports,
    Alerts,
    RenderTimes,
    LinkOps,
    GroupBudgets,
    SettingsOps,
    VendorBreakers,
    Leases,
    Queue,
):
    """The `Store` for one SQLite file."""

    def __init__(
        self,
        db: aiosqlite.Connection,
        checkpointer: Checkpointer | None = None,
        path: Path | None = None,
    ) -> None:
        super().__init__(db, checkpointer)
        self.path = path if path is not None else Path(":memory:")
        self.watch: FileWatch | None = None  # the file opened, to notice it deleted
        self.opened = False  # until then, `open` names the problem itself

    @classmethod
    async def open(cls, path: Path | str) -> SqliteStore:
        """Open and migrate the database; StoreUnavailable (one line) when it cannot be."""
        path = Path(path)
        db = await connect(path)
        memory = str(path) == ":memory:"
        store = cls(db, None if memory else Checkpointer(path), path)
        try:
            store.watch = None if memory else FileWatch(path)
            await store.migrate()
        except BaseException as exc:
            await close_quietly(db)
            raise unavailable(path, exc) from None
        store.opened = True
        if store.checkpointer is not None:
            store.checkpointer.start()
        return store

    def failure(self, exc: BaseException) -> BaseException:
        """A database error found after the open (a damaged page, a disk I/O error, a lock
        held too long) as StoreUnavailable, in one line naming the file and the problem;
        the store's callers then catch that alone, whatever the backend. A statement the
        caller got wrong (a broken constraint, bad SQL) is a bug, not damage: left as is."""
        if isinstance(exc, (sqlite3.IntegrityError, sqlite3.ProgrammingError)):
            return exc
        if self.opened and isinstance(exc, sqlite3.Error):
            return StoreUnavailable(f"{self.path}: {sqlite_problem(self.path, exc)}")
        return exc

    def unavailable(self) -> str | None:
        return self.watch.problem() if self.watch is not None else None

    async def close(self) -> None:
        await self._finish()
        if self.checkpointer is not None:
            await self.checkpointer.close()
        await self.db.close()  # the last connection to close checkpoints what is left

    async def schema_version(self) -> int:
        row = await self._one("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self) -> int:
        """Apply missing migrations in order; returns the schema version."""
        await self._transaction(apply_migrations)
        return len(MIGRATIONS)
