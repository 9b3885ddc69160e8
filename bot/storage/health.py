"""Inspecting a store without changing it, for `videobot doctor`.

It never migrates nor creates anything: it says whether the bot could use the database
(writable, its schema version against this build's, how many jobs), so that an operator
learns it before a start fails.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from contextlib import closing
from pathlib import Path

from bot.storage.errors import POSTGRES_SCHEMES
from bot.storage.health_report import StoreHealth, version_health
from bot.storage.migrations import MIGRATIONS

LOCK_WAIT = 5.0  # seconds to wait for the bot's write transaction before saying "busy"


def inspect_store(url: str) -> StoreHealth:
    """How the store `url` names stands; blocks up to `LOCK_WAIT` s (run it in a thread)."""
    if url.startswith(POSTGRES_SCHEMES):
        from bot.storage.postgres.health import inspect_postgres

        return asyncio.run(inspect_postgres(url))
    if not url.startswith("sqlite:///"):
        return StoreHealth("fail", "DATABASE_URL must be sqlite:///… or postgresql://…")
    return _inspect_sqlite(Path(url.removeprefix("sqlite:///")))


def _inspect_sqlite(path: Path) -> StoreHealth:
    current = len(MIGRATIONS)
    if not path.exists():
        folder = existing_ancestor(path.parent)
        if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
            return StoreHealth("fail", f"cannot create {path}: {folder} is not writable")
        return StoreHealth("ok", f"{path} does not exist yet; the bot creates it at start")
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK | os.X_OK):
        return StoreHealth("fail", f"{path} or its folder is not writable (WAL writes beside it)")
    try:
        with closing(sqlite3.connect(path, timeout=LOCK_WAIT, isolation_level=None)) as db:
            (version,) = db.execute("PRAGMA user_version").fetchone()
            db.execute("BEGIN IMMEDIATE")  # takes the write lock: proves we can write
            db.execute("ROLLBACK")
            jobs = 0
            if version:
                (jobs,) = db.execute("SELECT COUNT(*) FROM jobs").fetchone()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return StoreHealth("warn", f"{path}: busy for 5 s, write access not confirmed")
        return StoreHealth("fail", f"{path}: {exc}")
    except sqlite3.DatabaseError as exc:
        return StoreHealth("fail", f"{path}: {exc}")
    return version_health(str(path), version, current, f"writable, {jobs} jobs")


def existing_ancestor(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path
