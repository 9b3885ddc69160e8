"""The PostgreSQL schema as numbered migrations, each mirroring SQLite's of the same number
(`bot/storage/migrations.py`) in PostgreSQL's dialect, and the runner.

To add one: append `ddl(SQLITE_MIGRATIONS[n - 1])` where the SQLite script is tables,
columns and indexes (`ddl` turns its types into PostgreSQL's and quotes `user`, a reserved
word here), or a script of its own where the dialects differ in more (number 3's trigger).

The version lives in `schema_version` (one row). Every process applies the missing
migrations at start under one advisory lock, each with its version bump in one transaction
(PostgreSQL's DDL is transactional), so processes starting together migrate once. A
database migrated by a newer build is refused.
"""

from __future__ import annotations

from typing import Any

from bot.storage.errors import StoreUnavailable
from bot.storage.group_rows import GROUP_BUDGETS
from bot.storage.lease_sql import LEASE_COLUMNS
from bot.storage.migrations import BOUGHT_CREDITS, VENDOR_BREAKERS
from bot.storage.migrations import MIGRATIONS as SQLITE_MIGRATIONS
from bot.storage.postgres.dialect import ddl
from bot.storage.settings_sql import SETTINGS_AND_AUDIT

MIGRATION_LOCK = 0x76696465  # the advisory lock's key ("vide"), held while migrating

MIGRATIONS: list[str] = [
    # 1: users, daily usage, jobs with their media, and the ledger
    ddl(SQLITE_MIGRATIONS[0]),
    # 2: the refund notice a user has not been shown yet
    ddl(SQLITE_MIGRATIONS[1]),
    # 3: running credit totals per ledger kind, kept by a trigger in the ledger row's own
    # transaction. Spread over 16 slots per kind (by the writing connection), summed when
    # read: one row per kind would make every money transaction of every process wait for
    # the one before it to commit.
    """
    CREATE TABLE credit_totals (
        kind TEXT NOT NULL,
        slot INTEGER NOT NULL,
        total BIGINT NOT NULL,
        PRIMARY KEY (kind, slot)
    );
    INSERT INTO credit_totals (kind, slot, total)
        SELECT kind, 0, SUM(amount) FROM ledger GROUP BY kind;
    CREATE FUNCTION ledger_totals() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO credit_totals (kind, slot, total)
            VALUES (NEW.kind, pg_backend_pid() % 16, NEW.amount)
            ON CONFLICT (kind, slot) DO UPDATE SET total = credit_totals.total + EXCLUDED.total;
        RETURN NULL;
    END $$;
    CREATE TRIGGER ledger_totals AFTER INSERT ON ledger
        FOR EACH ROW EXECUTE FUNCTION ledger_totals();
    """,
    # 4: the vendor's own credits for the job's task (its estimate, then its final charge)
    ddl(SQLITE_MIGRATIONS[3]),
    # 5: what a settled job cost the operator in money, its priced model and when
    ddl(SQLITE_MIGRATIONS[4]),
    # 6: operator alerts that are raised, kept over restarts
    ddl(SQLITE_MIGRATIONS[5]),
    # 7: bought credits, and the ledger's new kinds and payment column. SQLite rebuilds its
    # ledger for that; here the check is replaced and the column added in place (the credit
    # totals need no new rows: the trigger adds a kind's first).
    ddl(BOUGHT_CREDITS)
    + """
    ALTER TABLE ledger DROP CONSTRAINT ledger_kind_check,
        ADD CONSTRAINT ledger_kind_check CHECK (kind IN ('reserve', 'charge', 'refund', 'grant',
                                                         'purchase', 'payment_refund')),
        ADD COLUMN payment_id TEXT COLLATE "C";
    CREATE UNIQUE INDEX ledger_payment_once ON ledger (payment_id, kind)
        WHERE payment_id IS NOT NULL;
    CREATE INDEX ledger_user ON ledger ("user", id);
    """,
    # 8: the bot's own queue: jobs.submitted_at and the recent render times
    ddl(SQLITE_MIGRATIONS[7]),
    # 9: one account across platforms, and the one-time codes (hashed) that join them
    ddl(SQLITE_MIGRATIONS[8]),
    # 10: group budgets, their use per day and member, and each job's share of one
    ddl(GROUP_BUDGETS),
    # 11: settings changed at run time, their version, and the audit log
    ddl(SETTINGS_AND_AUDIT),
    # 12: each vendor's circuit breaker, shared by every process
    ddl(VENDOR_BREAKERS),
    # 13: which process drives each job in flight, and until when; the shared queue's turns
    ddl(LEASE_COLUMNS),
]

VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version (version)
    SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version);
"""


async def read_version(db: Any) -> int:
    """The schema version of the database `db` is connected to; 0 when never migrated."""
    exists = await db.fetchval("SELECT to_regclass('schema_version') IS NOT NULL")
    return int(await db.fetchval("SELECT version FROM schema_version")) if exists else 0


async def apply_migrations(db: Any) -> int:
    """Bring the schema to this build's version; returns it. `db` is one connection."""
    async with db.transaction():
        await db.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await db.execute(VERSION_TABLE)
    version = await read_version(db)
    if version > len(MIGRATIONS):
        raise StoreUnavailable(
            f"schema v{version} is newer than this build's v{len(MIGRATIONS)}; upgrade videobot"
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        async with db.transaction():
            await db.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            if await read_version(db) >= number:  # another process got there first
                continue
            await db.execute(script)
            await db.execute("UPDATE schema_version SET version = $1", number)
    return len(MIGRATIONS)
