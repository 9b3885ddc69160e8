"""The CPU a PostgreSQL server on this machine spends on one database: the backends serving
it and the server's own writers (WAL writer, checkpointer, background writer), from
/proc like every CPU figure of the benchmarks. Other databases' backends are left out, so
other work on a shared server does not count; its writers serve every database, so their
share is an upper bound."""

from __future__ import annotations

import asyncpg

from bench.common import cpu_seconds

SERVER_WRITERS = ("walwriter", "checkpointer", "background writer")
PIDS = (
    "SELECT pid FROM pg_stat_activity WHERE (datname = current_database() "
    "AND pid <> pg_backend_pid()) OR backend_type = ANY($1::text[])"
)


class PgCpuMeter:
    """CPU seconds of the server's processes for one database between `start` and `stop`.
    Backends are found at both ends: one started meanwhile counts from zero, one ended
    meanwhile is lost (so connect the clients first: pools warmed before `start`)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._start: dict[int, float] = {}
        self.seconds = 0.0

    async def _pids(self) -> list[int]:
        db = await asyncpg.connect(self.url)
        try:
            return [int(r[0]) for r in await db.fetch(PIDS, list(SERVER_WRITERS))]
        finally:
            await db.close()

    async def start(self) -> PgCpuMeter:
        self._start = _cpu_of(await self._pids())
        return self

    async def stop(self) -> float | None:
        """The CPU seconds; None when none of the server's processes is on this machine."""
        now = _cpu_of(await self._pids())
        self.seconds = sum(cpu - self._start.get(pid, 0.0) for pid, cpu in now.items())
        return self.seconds if now else None


def _cpu_of(pids: list[int]) -> dict[int, float]:
    found: dict[int, float] = {}
    for pid in pids:
        try:
            found[pid] = cpu_seconds(pid)
        except OSError:  # ended, or another machine's server
            continue
    return found
