"""Job leases in SQLite (see lease_types.py). One process at a time uses a SQLite file, so a
lease held by any other owner is dead here, whatever its time: a restarted bot resumes
every job at once, as it always has."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from bot.models import Job
from bot.storage.batching import Batcher, Kind
from bot.storage.lease_sql import ACTIVE, HOLDERS, RELEASE
from bot.storage.lease_types import JobSignal, LeaseHolder
from bot.storage.rows import JOB_COLUMNS, row_to_job

IDS = "id IN (SELECT value FROM json_each(?))"
CLAIM = (
    "UPDATE jobs SET owner = ?, lease_until = ? WHERE id IN (SELECT id FROM jobs "
    f"WHERE state IN {ACTIVE!r} AND settled IS NULL AND (owner IS NOT ? OR lease_until < ?"
    "{ids}) ORDER BY created_at LIMIT ?)"
    f" RETURNING {JOB_COLUMNS}"
)
RENEW = f"UPDATE jobs SET lease_until = ? WHERE owner = ? AND settled IS NULL AND {IDS}"
LOST = f"SELECT id FROM jobs WHERE {IDS} AND settled IS NULL AND owner IS NOT ?"


class Leases(Batcher):
    async def claim_jobs(
        self, owner: str, now: float, until: float, ids: Sequence[str] | None = None,
        limit: int = 500,
    ) -> list[Job]:  # fmt: skip
        # Named jobs may be ours already (a task run again); a sweep takes only others'.
        sql = CLAIM.format(ids="" if ids is None else f" OR 1) AND ({IDS}")
        params = (owner, until, owner, now, *([] if ids is None else [json.dumps(list(ids))]))
        rows = await self._call(
            lambda db: db.execute(sql, (*params, limit)).fetchall(), Kind.STATEMENT
        )
        return sorted((row_to_job(r) for r in rows), key=lambda j: (j.created_at, j.id))

    async def renew_leases(self, owner: str, ids: Sequence[str], until: float) -> list[str]:
        held = json.dumps(list(ids))
        await self._write(RENEW, (until, owner, held))
        return [str(job_id) for (job_id,) in await self._all(LOST, (held, owner))]

    async def release_leases(self, owner: str) -> int:
        return await self._write(RELEASE, (owner,))

    async def lease_holders(self) -> list[LeaseHolder]:
        rows = await self._all(HOLDERS)
        return [LeaseHolder(str(owner), int(n), float(until or 0)) for owner, n, until in rows]

    async def signal(self, signal: JobSignal) -> None:
        return None  # one bot per file: the one that acted is the one driving the job

    async def listen(self, on_signal: Callable[[JobSignal], None]) -> bool:
        return False
