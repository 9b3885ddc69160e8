"""Where the bot keeps its state, chosen by DATABASE_URL. Everything above this package
speaks the `Store` interface and catches `StoreUnavailable`, never a driver's own errors, so
the backends are interchangeable: SQLite (the embedded default, one process) and
PostgreSQL (a database server).

Changing the schema or the interface means doing it on both:
- a migration: append it to `migrations.MIGRATIONS` (SQLite), then to
  `postgres/migrations.MIGRATIONS` as `ddl(SQLITE_MIGRATIONS[n - 1])` when it is tables,
  columns and indexes, or in PostgreSQL's own words otherwise; a test fails while the two
  lists differ in length;
- a job column: `rows.JOB_COLUMNS` and `row_to_job` (read), `base.JobPatch` (written): both
  backends use them;
- a store method: on `base.Store`, then in the SQLite room and its `postgres/` twin (money,
  reads or reports), sharing SQL through `rows.py` (`postgres.dialect.pg` numbers its
  placeholders and quotes `user`); a test of it takes the `store` fixture under
  `tests.postgres.BACKENDS`, so it runs on both.
"""

from __future__ import annotations

from pathlib import Path

from bot.storage.base import JobPatch, Store
from bot.storage.errors import POSTGRES_SCHEMES, CopyRefused, StoreUnavailable, display_url

__all__ = [
    "CopyRefused",
    "JobPatch",
    "Store",
    "StoreUnavailable",
    "copy_to_postgres",
    "display_url",
    "is_postgres",
    "open_store",
]


def is_postgres(url: str) -> bool:
    """Whether DATABASE_URL names a PostgreSQL database."""
    return url.startswith(POSTGRES_SCHEMES)


async def open_store(url: str) -> Store:
    """Open and migrate the store that `url` names; StoreUnavailable, in one line naming the
    database and the problem, when it cannot be used."""
    if url.startswith("sqlite:///"):
        from bot.storage.sqlite import SqliteStore  # the embedded default

        return await SqliteStore.open(Path(url.removeprefix("sqlite:///")))
    if is_postgres(url):
        from bot.storage.postgres import PostgresStore  # imported only when chosen

        return await PostgresStore.open(url)
    scheme = url.split(":", 1)[0] or "(empty)"
    raise StoreUnavailable(f"DATABASE_URL: no store for the scheme {scheme!r}")


async def copy_to_postgres(path: Path, url: str) -> dict[str, dict[str, int]]:
    """Copy the SQLite file at `path` into the empty PostgreSQL database at `url`, checked;
    {"rows": rows per table, "ledger": credits per ledger kind, equal on both sides}.
    CopyRefused, with nothing written, when it cannot be done whole."""
    from bot.storage.postgres.copy import copy_sqlite_to_postgres

    report = await copy_sqlite_to_postgres(path, url)
    return {"rows": report.rows, "ledger": report.totals}
