"""Job leases in PostgreSQL (see bot/storage/lease_types.py): several processes claim the
jobs whose leases ran out, each row once, without waiting for each other (SKIP LOCKED). A
waiting job nobody owns is the shared queue's (queue.py), claimed here only once its time
in line is up, to be refunded."""

from __future__ import annotations

from collections.abc import Sequence

from bot.models import Job
from bot.storage.lease_sql import ACTIVE, HOLDERS, RELEASE
from bot.storage.lease_types import LeaseHolder
from bot.storage.postgres.connection import PgBase
from bot.storage.postgres.dialect import pg
from bot.storage.rows import JOB_COLUMNS, row_to_job

CLAIM = (
    "UPDATE jobs SET owner = $1, lease_until = $2 WHERE id IN (SELECT id FROM jobs "
    "WHERE state = ANY($3) AND settled IS NULL AND (lease_until IS NULL OR lease_until < $4"
    "{ids}) AND (state <> 'queued' OR owner IS NOT NULL OR deadline_at < $4) "
    "ORDER BY created_at LIMIT $5 FOR UPDATE SKIP LOCKED)"
    f" RETURNING {pg(JOB_COLUMNS)}"
)
# Waiting jobs of a process that died (granted, or back from a vendor that refused them) go
# back to the shared line rather than to the process sweeping them.
BACK_IN_LINE = (
    "UPDATE jobs SET owner = NULL, lease_until = NULL, vendor = NULL, pool = NULL "
    "WHERE state = 'queued' AND settled IS NULL AND owner IS NOT NULL AND lease_until < $1 "
    "AND deadline_at >= $1"
)
# The renewal, and in the same statement the jobs of `ids` another process has taken over.
RENEW = (
    "WITH renewed AS (UPDATE jobs SET lease_until = $3 "
    "WHERE owner = $1 AND id = ANY($2) AND settled IS NULL) "
    "SELECT id FROM jobs WHERE id = ANY($2) AND settled IS NULL AND owner IS DISTINCT FROM $1"
)


class PgLeases(PgBase):
    async def claim_jobs(
        self, owner: str, now: float, until: float, ids: Sequence[str] | None = None,
        limit: int = 500,
    ) -> list[Job]:  # fmt: skip
        # Named jobs may be ours already (a task run again); a sweep takes only others'.
        sql = CLAIM.format(ids="" if ids is None else " OR owner = $1) AND (id = ANY($6)")
        extra = [] if ids is None else [list(ids)]
        if ids is None:
            await self._execute(BACK_IN_LINE, now)
        rows = await self._fetch(sql, owner, until, list(ACTIVE), now, limit, *extra)
        return sorted((row_to_job(r) for r in rows), key=lambda j: (j.created_at, j.id))

    async def renew_leases(self, owner: str, ids: Sequence[str], until: float) -> list[str]:
        rows = await self._fetch(RENEW, owner, list(ids), until)
        return [str(r[0]) for r in rows]

    async def release_leases(self, owner: str) -> int:
        return await self._execute(pg(RELEASE), owner)

    async def lease_holders(self) -> list[LeaseHolder]:
        rows = await self._fetch(HOLDERS)
        return [LeaseHolder(str(owner), int(n), float(until or 0)) for owner, n, until in rows]
