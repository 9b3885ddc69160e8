"""Large ledgers written fast, for the tests that a ledger's size costs the bot nothing."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from bot.storage.migrations import MIGRATIONS, statements


def bulk_ledger(path: Path, rows: int, *, schema: int | None = None) -> None:
    """Add `rows` ledger rows fast, in SQLite itself; first create the schema up to
    migration `schema` when given (an older database, as a previous build left it)."""
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        if schema is not None:
            db.execute("BEGIN")
            for script in MIGRATIONS[:schema]:
                for statement in statements(script):
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {schema}")
            db.execute("COMMIT")
        db.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO ledger (at, user, job_id, kind, amount) "
            "SELECT i, 'telegram:' || (i % 1000), NULL, "
            "CASE i % 4 WHEN 0 THEN 'reserve' WHEN 1 THEN 'charge' WHEN 2 THEN 'refund' "
            "ELSE 'grant' END, 1 + i % 3 FROM n",
            (rows,),
        )
