"""Reading jobs and their media from PostgreSQL (balances: intake.py)."""

from __future__ import annotations

from typing import Any

from bot.models import ACTIVE_STATES, Job, JobState, Media, UserRef
from bot.storage.postgres.connection import PgBase
from bot.storage.postgres.dialect import pg
from bot.storage.rows import JOB_COLUMNS, job_ref_query, row_to_job

COLUMNS = pg(JOB_COLUMNS)


class PgReads(PgBase):
    """The store's reads of jobs, for the engine, the service and the admin commands."""

    async def get_job(self, job_id: str) -> Job | None:
        row = await self._fetchrow(f"SELECT {COLUMNS} FROM jobs WHERE id = $1", job_id)
        return row_to_job(row) if row else None

    async def find_job(self, ref: str, user: UserRef | None = None) -> Job | None:
        query = job_ref_query(ref, user)
        if query is None:
            return None
        rows = await self._fetch(pg(query[0]), *query[1])
        return row_to_job(rows[0]) if len(rows) == 1 else None

    async def media(self, job_id: str) -> dict[str, Media]:
        rows = await self._fetch(
            "SELECT role, mime, filename, data FROM job_media WHERE job_id = $1", job_id
        )
        return {role: Media(bytes(data), mime, filename) for role, mime, filename, data in rows}

    async def pending_notices(
        self, since: float, error_code: str | None = None
    ) -> list[tuple[Job, str]]:
        sql = f"SELECT {COLUMNS}, notice FROM jobs WHERE notice IS NOT NULL AND updated_at >= $1"
        params: list[Any] = [since]
        if error_code is not None:
            sql += " AND error_code = $2"
            params.append(error_code)
        rows = await self._fetch(sql + " ORDER BY updated_at", *params)
        return [(row_to_job(tuple(r)[:-1]), r[-1]) for r in rows]

    async def active_jobs(self) -> list[Job]:
        return await self.list_jobs(ACTIVE_STATES, limit=1_000_000)

    async def user_jobs(self, user: UserRef, limit: int = 10) -> list[Job]:
        rows = await self._fetch(
            f'SELECT {COLUMNS} FROM jobs WHERE "user" = $1 ORDER BY created_at DESC LIMIT $2',
            str(user), limit,
        )  # fmt: skip
        return [row_to_job(r) for r in rows]

    async def list_jobs(self, states: tuple[JobState, ...] = (), limit: int = 100) -> list[Job]:
        where = " WHERE state = ANY($2)" if states else ""
        params: list[Any] = [limit, [s.value for s in states]] if states else [limit]
        rows = await self._fetch(
            f"SELECT {COLUMNS} FROM jobs{where} ORDER BY created_at DESC LIMIT $1", *params
        )
        return [row_to_job(r) for r in rows]
