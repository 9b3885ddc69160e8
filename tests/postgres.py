"""The PostgreSQL server the tests use: `VIDEOBOT_TEST_POSTGRES_URL` when set, else the one
on this machine. Each test run works in a throwaway database of its own (created with a
random name, dropped at the end), emptied before each test; a test that needs a database
never migrated gets one more of those. When no server answers, the PostgreSQL tests skip
with the reason, unless `VIDEOBOT_REQUIRE_POSTGRES=1` (CI) turns the skip into a failure.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import secrets
from collections.abc import Coroutine
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

# Tests that run on every backend: `@BACKENDS` (or `pytestmark = BACKENDS`) runs each on SQLite
# and on PostgreSQL, through the `database_url` fixture (and `store` and `core`, built on it).
BACKENDS = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
T = TypeVar("T")


def server_url() -> str:
    return os.environ.get("VIDEOBOT_TEST_POSTGRES_URL") or DEFAULT_URL


def required() -> bool:
    return os.environ.get("VIDEOBOT_REQUIRE_POSTGRES", "") not in ("", "0")


def database(url: str, name: str) -> str:
    """`url` pointed at the database `name` on the same server."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def run(work: Coroutine[Any, Any, T]) -> T:
    """Run `work` to the end in a thread of its own (callable from inside a running loop)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


async def create_database(server: str) -> str:
    """A new empty database on `server`; its URL."""
    name = f"videobot_test_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(server, timeout=5)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return database(server, name)


async def drop_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    admin = await asyncpg.connect(database(url, urlsplit(server_url()).path.lstrip("/")))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def empty_tables(url: str) -> None:
    """Every table but the schema version emptied, its ids restarted: a fresh store."""
    db = await asyncpg.connect(url)
    try:
        tables = await db.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename <> 'schema_version'"
        )
        if tables:
            names = ", ".join(f'"{t["tablename"]}"' for t in tables)
            await db.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await db.close()


def unreachable_reason(exc: BaseException) -> str:
    where = urlsplit(server_url())
    text = " ".join(str(exc).split()) or type(exc).__name__
    return (
        f"PostgreSQL tests skipped: no server at {where.hostname}:{where.port or 5432} "
        f"({text}); set VIDEOBOT_TEST_POSTGRES_URL to run them"
    )
