"""The schema as numbered migrations, and the runner that applies the missing ones.

`PRAGMA user_version` holds the number of migrations applied. A database migrated by a newer
build is refused rather than used with a schema this build does not know.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from bot.storage.errors import StoreUnavailable
from bot.storage.group_rows import GROUP_BUDGETS
from bot.storage.lease_sql import LEASE_COLUMNS
from bot.storage.settings_sql import SETTINGS_AND_AUDIT

# Migration 5's tables and columns (PostgreSQL's number 5 reads them through `ddl`): bought
# credits, a separate balance that never expires (so a payment's refund can take back exactly
# what is left of it), what each job paid from it, and one row per payment (its platform's
# charge or entitlement id: credited once, whoever delivers it twice).
BOUGHT_CREDITS = """
    ALTER TABLE users ADD COLUMN purchased INTEGER NOT NULL DEFAULT 0 CHECK (purchased >= 0);
    ALTER TABLE jobs ADD COLUMN paid_purchased INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE payments (
        id TEXT PRIMARY KEY,
        user TEXT NOT NULL,
        product TEXT NOT NULL,
        credits INTEGER NOT NULL CHECK (credits > 0),
        price INTEGER NOT NULL,
        currency TEXT NOT NULL,
        at REAL NOT NULL,
        refunded_at REAL,
        taken_back INTEGER
    );
    CREATE INDEX payments_user ON payments (user);
"""

VENDOR_BREAKERS = """
CREATE TABLE vendor_breakers (
    vendor TEXT PRIMARY KEY,
    open_until REAL NOT NULL DEFAULT 0,
    held TEXT,
    changed_at REAL NOT NULL
);
"""

MIGRATIONS: list[str] = [
    # 1: users, daily usage, jobs with their media, and the ledger
    """
    CREATE TABLE users (
        user TEXT PRIMARY KEY,
        bonus INTEGER NOT NULL DEFAULT 0 CHECK (bonus >= 0),
        banned INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL
    );
    CREATE TABLE daily_usage (
        user TEXT NOT NULL,
        day TEXT NOT NULL,
        used INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0),
        PRIMARY KEY (user, day)
    );
    CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        user TEXT NOT NULL,
        state TEXT NOT NULL,
        request TEXT NOT NULL,
        cost INTEGER NOT NULL,
        paid_daily INTEGER NOT NULL,
        paid_bonus INTEGER NOT NULL,
        quota_day TEXT NOT NULL,
        settled TEXT CHECK (settled IN ('charged', 'refunded')),
        locale TEXT NOT NULL DEFAULT 'en',
        chat TEXT NOT NULL DEFAULT '{}',
        vendor TEXT,
        vendor_task_id TEXT,
        idempotency_key TEXT,
        progress REAL,
        error_code TEXT,
        error_text TEXT,
        result_path TEXT,
        result_url TEXT,
        attempt INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        deadline_at REAL NOT NULL,
        delivered_at REAL
    );
    CREATE INDEX jobs_user_state ON jobs (user, state);
    CREATE INDEX jobs_state ON jobs (state);
    CREATE TABLE job_media (
        job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        role TEXT NOT NULL,
        mime TEXT NOT NULL,
        filename TEXT NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (job_id, role)
    );
    CREATE TABLE ledger (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at REAL NOT NULL,
        user TEXT NOT NULL,
        job_id TEXT,
        kind TEXT NOT NULL CHECK (kind IN ('reserve', 'charge', 'refund', 'grant')),
        amount INTEGER NOT NULL,
        note TEXT NOT NULL DEFAULT ''
    );
    -- A job is reserved, charged and refunded at most once each: the database says so too.
    CREATE UNIQUE INDEX ledger_once ON ledger (job_id, kind) WHERE job_id IS NOT NULL;
    """,
    # 2: the refund notice a user has not been shown yet, written with the refund itself
    """
    ALTER TABLE jobs ADD COLUMN notice TEXT;
    CREATE INDEX jobs_notice ON jobs (updated_at) WHERE notice IS NOT NULL;
    """,
    # 3: running credit totals per ledger kind, kept by a trigger in the ledger row's own
    # transaction (whoever writes it, the admin CLI included): a metrics scrape reads four
    # rows instead of summing a ledger of millions on the event loop.
    """
    CREATE TABLE credit_totals (
        kind TEXT PRIMARY KEY,
        total INTEGER NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO credit_totals (kind, total)
        SELECT k.kind, (SELECT COALESCE(SUM(amount), 0) FROM ledger l WHERE l.kind = k.kind)
        FROM (SELECT 'reserve' AS kind UNION ALL SELECT 'charge' UNION ALL SELECT 'refund'
              UNION ALL SELECT 'grant') k;
    CREATE TRIGGER ledger_totals AFTER INSERT ON ledger BEGIN
        UPDATE credit_totals SET total = total + NEW.amount WHERE kind = NEW.kind;
    END;
    """,
    # 4: the vendor's own credits for the job's task (its estimate, then its final charge),
    # the operator's real cost beside the user's credits
    """
    ALTER TABLE jobs ADD COLUMN vendor_cost REAL;
    """,
    # 5: what a settled job cost the operator in money (USD), the model it was priced as and
    # when, so spend reports group and filter without reading every job's request
    """
    ALTER TABLE jobs ADD COLUMN spend_usd REAL;
    ALTER TABLE jobs ADD COLUMN spend_model TEXT;
    ALTER TABLE jobs ADD COLUMN spent_at REAL;
    CREATE INDEX jobs_spent_at ON jobs (spent_at) WHERE spent_at IS NOT NULL;
    """,
    # 6: operator alerts that are raised (a vendor's balance low, the day's spend cap
    # reached), so a restart neither repeats nor forgets them
    """
    CREATE TABLE alerts (
        name TEXT PRIMARY KEY,
        active INTEGER NOT NULL,
        at REAL NOT NULL
    );
    """,
    # 7: bought credits (see BOUGHT_CREDITS), and the ledger rebuilt to allow the kinds
    # `purchase` and `payment_refund` and to name the payment an entry belongs to.
    BOUGHT_CREDITS
    + """
    CREATE TABLE ledger_v5 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at REAL NOT NULL,
        user TEXT NOT NULL,
        job_id TEXT,
        kind TEXT NOT NULL CHECK (kind IN ('reserve', 'charge', 'refund', 'grant',
                                           'purchase', 'payment_refund')),
        amount INTEGER NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        payment_id TEXT
    );
    INSERT INTO ledger_v5 (id, at, user, job_id, kind, amount, note)
        SELECT id, at, user, job_id, kind, amount, note FROM ledger;
    DROP TABLE ledger;
    ALTER TABLE ledger_v5 RENAME TO ledger;
    CREATE UNIQUE INDEX ledger_once ON ledger (job_id, kind) WHERE job_id IS NOT NULL;
    CREATE UNIQUE INDEX ledger_payment_once ON ledger (payment_id, kind)
        WHERE payment_id IS NOT NULL;
    CREATE INDEX ledger_user ON ledger (user, id);
    INSERT INTO credit_totals (kind, total) VALUES ('purchase', 0), ('payment_refund', 0);
    CREATE TRIGGER ledger_totals AFTER INSERT ON ledger BEGIN
        UPDATE credit_totals SET total = total + NEW.amount WHERE kind = NEW.kind;
    END;
    """,
    # 8: the bot's own queue: when a job left it for a vendor, and the recent render times
    # per vendor and model that estimates are made from (so a restart keeps them)
    """
    ALTER TABLE jobs ADD COLUMN submitted_at REAL;
    CREATE TABLE render_times (
        vendor TEXT NOT NULL,
        model TEXT NOT NULL,
        at REAL NOT NULL,
        seconds REAL NOT NULL CHECK (seconds >= 0)
    );
    CREATE INDEX render_times_recent ON render_times (vendor, model, at);
    """,
    # 9: one account across platforms (a linked user -> its account's primary user) and the
    # one-time codes that join them, kept only as hashes
    """
    CREATE TABLE user_links (
        user TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        linked_at REAL NOT NULL
    );
    CREATE INDEX user_links_account ON user_links (account);
    CREATE TABLE link_codes (
        code_hash TEXT PRIMARY KEY,
        user TEXT NOT NULL,
        expires_at REAL NOT NULL
    );
    """,
    # 10: group budgets: a group chat's daily pool, its use per day and member, and what
    # each job took from which pool (see GROUP_BUDGETS)
    GROUP_BUDGETS,
    # 11: settings changed at run time (`/settings`, `videobot settings`), the version every
    # process checks before a command, and the audit log of operator actions
    SETTINGS_AND_AUDIT,
    # 12: each vendor's circuit breaker, so an open one and a vendor held for an operator
    # outlive a restart and every process sharing the database sees the same
    VENDOR_BREAKERS,
    # 13: which process drives each job in flight, and until when (several processes share
    # a PostgreSQL database; on SQLite the one process holds them all), and the shared
    # queue's granted pools and users' turns
    LEASE_COLUMNS,
]


def statements(script: str) -> Iterator[str]:
    """The statements of `script`, split where SQLite says one ends (a trigger's body holds
    semicolons of its own)."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                yield pending
            pending = ""


def apply_migrations(db: sqlite3.Connection) -> None:
    """Bring the schema to this build's version, inside the caller's transaction."""
    (version,) = db.execute("PRAGMA user_version").fetchone()
    if version > len(MIGRATIONS):
        raise StoreUnavailable(
            f"schema v{version} is newer than this build's v{len(MIGRATIONS)}; upgrade videobot"
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        for statement in statements(script):
            db.execute(statement)
        db.execute(f"PRAGMA user_version = {number}")
