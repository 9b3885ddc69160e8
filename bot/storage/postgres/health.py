"""Inspecting a PostgreSQL database without changing it, for `videobot doctor`: the server
answers, takes writes (not a read-only standby), and its schema against this build's."""

from __future__ import annotations

import asyncpg

from bot.storage.errors import display_url
from bot.storage.health_report import StoreHealth, version_health
from bot.storage.postgres.connection import CONNECT_TIMEOUT, problem
from bot.storage.postgres.migrations import MIGRATIONS, read_version


async def inspect_postgres(url: str) -> StoreHealth:
    where = display_url(url)
    try:
        db = await asyncpg.connect(url, timeout=CONNECT_TIMEOUT)
    except Exception as exc:
        return StoreHealth("fail", f"{where}: {problem(exc, url)}")
    try:
        if await db.fetchval("SELECT pg_is_in_recovery()"):
            return StoreHealth("fail", f"{where}: a read-only standby; point at the primary")
        server = await db.fetchval("SHOW server_version")
        version = await read_version(db)
        jobs = await db.fetchval("SELECT COUNT(*) FROM jobs") if version else 0
    except Exception as exc:
        return StoreHealth("fail", f"{where}: {problem(exc, url)}")
    finally:
        await db.close()
    detail = f"PostgreSQL {server.split()[0]}, {jobs} jobs"
    return version_health(where, version, len(MIGRATIONS), detail)
