"""Copying a SQLite database into an empty PostgreSQL one (`videobot copy-db`).

Every table of the SQLite file is copied as it is, ids included, in one PostgreSQL
transaction, so a failure leaves the target as empty as it was. The tables and columns are
read from both schemas rather than listed here, so a table or a column a later migration
adds is copied too; a column the target lacks stops the copy (its data would be lost). The
credit totals are not copied: the target's trigger adds them up from the ledger rows.
Afterwards the ledger is added up on both sides, per user and kind, with each user's bonus
and bought credits, the payments and the daily usage: the copy counts only when they agree.
"""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.storage.errors import CopyRefused
from bot.storage.migrations import MIGRATIONS as SQLITE_MIGRATIONS
from bot.storage.postgres.store import PostgresStore

CHUNK = 1_000  # rows read from SQLite and sent to PostgreSQL at a time
MEDIA_CHUNK = 16  # media rows at a time: each holds an image of up to several MB
FIRST = ("users", "daily_usage", "jobs")  # the tables others refer to, copied first
# Kept by the target itself: its trigger's totals, its own settings version (a counter).
DERIVED = ("credit_totals", "settings_version")
# What must agree on both sides afterwards, each as (key..., value) rows.
CHECKS = {
    "ledger": 'SELECT "user", kind, SUM(amount), COUNT(*) FROM ledger GROUP BY "user", kind',
    "balances": 'SELECT "user", bonus, purchased FROM users',
    "payments": 'SELECT id, "user", credits, taken_back FROM payments',
    "daily usage": 'SELECT "user", day, used FROM daily_usage',
}


@dataclass(frozen=True, slots=True)
class CopyReport:
    rows: dict[str, int]  # table -> rows copied
    totals: dict[str, int]  # ledger kind -> credits, equal on both sides


def sqlite_tables(db: sqlite3.Connection) -> dict[str, list[str]]:
    names = [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        if name not in DERIVED
    ]
    order = sorted(names, key=lambda n: (n not in FIRST, FIRST.index(n) if n in FIRST else 0, n))
    return {n: [row[1] for row in db.execute(f'PRAGMA table_info("{n}")')] for n in order}


async def postgres_columns(db: Any) -> dict[str, set[str]]:
    rows = await db.fetch(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema()"
    )
    columns: dict[str, set[str]] = {}
    for table, column in rows:
        columns.setdefault(table, set()).add(column)
    return columns


def open_source(path: Path) -> sqlite3.Connection:
    """The SQLite file, read-only; CopyRefused unless it is a videobot database this build
    knows."""
    if not path.is_file():
        raise CopyRefused(f"{path}: no such database file")
    db = sqlite3.connect(
        f"file:{path}?mode=ro", uri=True, check_same_thread=False, isolation_level=None
    )
    try:
        (version,) = db.execute("PRAGMA user_version").fetchone()
    except sqlite3.DatabaseError as exc:
        db.close()
        raise CopyRefused(f"{path}: {exc}") from None
    if not 1 <= version <= len(SQLITE_MIGRATIONS):
        db.close()
        raise CopyRefused(
            f"{path}: schema v{version}; this build copies v1 to v{len(SQLITE_MIGRATIONS)}"
        )
    return db


async def copy_table(source: sqlite3.Connection, target: Any, table: str, cols: list[str]) -> int:
    quoted = ", ".join(f'"{c}"' for c in cols)
    cursor = source.execute(f'SELECT {quoted} FROM "{table}"')
    copied = 0
    chunk = MEDIA_CHUNK if table == "job_media" else CHUNK
    while rows := await asyncio.to_thread(cursor.fetchmany, chunk):
        await target.copy_records_to_table(table, records=rows, columns=cols)
        copied += len(rows)
    return copied


async def restart_identities(db: Any) -> None:
    """Identity columns continue after the ids copied (the ledger's, for one)."""
    rows = await db.fetch(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND is_identity = 'YES'"
    )
    for table, column in rows:
        await db.execute(
            f"SELECT setval(pg_get_serial_sequence($1, $2), "
            f'COALESCE((SELECT MAX("{column}") FROM "{table}"), 0) + 1, false)',
            f'"{table}"', column,
        )  # fmt: skip


async def compare(source: sqlite3.Connection, target: Any) -> dict[str, int]:
    """CopyRefused unless the ledger, the bonuses and the usage agree; the ledger's totals."""
    for name, sql in CHECKS.items():
        theirs = sorted(tuple(r) for r in await target.fetch(sql))
        ours = sorted(tuple(r) for r in source.execute(sql))  # "user" is SQLite's too
        if theirs != ours:
            raise CopyRefused(f"the {name} differs between the two databases after the copy")
    totals = dict.fromkeys(
        ("reserve", "charge", "refund", "grant", "purchase", "payment_refund"), 0
    )
    for kind, total in source.execute("SELECT kind, SUM(amount) FROM ledger GROUP BY kind"):
        totals[kind] = int(total)
    return totals


async def copy_sqlite_to_postgres(path: Path, url: str) -> CopyReport:
    """Copy the SQLite file at `path` into the empty PostgreSQL database at `url` (migrated
    first); CopyRefused, and nothing written, when it cannot be done as a whole."""
    with closing(open_source(path)) as source:
        source.execute("BEGIN")  # one read snapshot, even beside a running bot
        store = await PostgresStore.open(url)
        try:
            if not await store.is_empty():
                raise CopyRefused(
                    "the target database already holds users, jobs or ledger rows; "
                    "copy-db only fills an empty one (a fresh database, migrated or not)"
                )

            async def copy(db: Any) -> CopyReport:
                target_columns = await postgres_columns(db)
                rows: dict[str, int] = {}
                for table, cols in sqlite_tables(source).items():
                    missing = set(cols) - target_columns.get(table, set())
                    if missing:
                        raise CopyRefused(
                            f"the target has no {table}.{', '.join(sorted(missing))}; "
                            "is it migrated by an older videobot?"
                        )
                    rows[table] = await copy_table(source, db, table, cols)
                await restart_identities(db)
                return CopyReport(rows, await compare(source, db))

            return await store._transaction(copy)
        finally:
            await store.close()
