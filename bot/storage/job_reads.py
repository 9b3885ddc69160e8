"""Reading jobs, their media and a user's balance from SQLite."""

from __future__ import annotations

import sqlite3
from typing import Any

from bot.models import ACTIVE_STATES, Job, JobState, Media, UserRef
from bot.storage.base import Balance
from bot.storage.batching import Batcher, Kind
from bot.storage.link_rows import BALANCE, balance_params
from bot.storage.links import account_of
from bot.storage.rows import JOB_COLUMNS, balance_from, job_ref_query, row_to_job


class JobReads(Batcher):
    """The store's reads of jobs, for the engine, the service and the admin commands."""

    # reads

    async def get_job(self, job_id: str) -> Job | None:
        row = await self._one(f"SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?", (job_id,))
        return row_to_job(row) if row else None

    async def find_job(self, ref: str, user: UserRef | None = None) -> Job | None:
        query = job_ref_query(ref, user)
        if query is None:
            return None
        rows = await self._all(*query)
        return row_to_job(rows[0]) if len(rows) == 1 else None

    async def media(self, job_id: str) -> dict[str, Media]:
        rows = await self._all(
            "SELECT role, mime, filename, data FROM job_media WHERE job_id = ?", (job_id,)
        )
        return {role: Media(bytes(data), mime, filename) for role, mime, filename, data in rows}

    async def pending_notices(
        self, since: float, error_code: str | None = None
    ) -> list[tuple[Job, str]]:
        sql = f"SELECT {JOB_COLUMNS}, notice FROM jobs WHERE notice IS NOT NULL AND updated_at >= ?"
        params: tuple[Any, ...] = (since,)
        if error_code is not None:
            sql += " AND error_code = ?"
            params += (error_code,)
        rows = await self._all(sql + " ORDER BY updated_at", params)
        return [(row_to_job(r[:-1]), r[-1]) for r in rows]

    async def active_jobs(self) -> list[Job]:
        return await self.list_jobs(ACTIVE_STATES, limit=1_000_000)

    async def user_jobs(self, user: UserRef, limit: int = 10) -> list[Job]:
        rows = await self._all(
            f"SELECT {JOB_COLUMNS} FROM jobs WHERE user = ? ORDER BY created_at DESC LIMIT ?",
            (str(user), limit),
        )
        return [row_to_job(r) for r in rows]

    async def list_jobs(self, states: tuple[JobState, ...] = (), limit: int = 100) -> list[Job]:
        sql = f"SELECT {JOB_COLUMNS} FROM jobs"
        params: list[Any] = [s.value for s in states]
        if states:
            sql += f" WHERE state IN ({','.join('?' * len(states))})"
        rows = await self._all(sql + " ORDER BY created_at DESC LIMIT ?", (*params, limit))
        return [row_to_job(r) for r in rows]

    async def balance(self, user: UserRef, day: str) -> Balance:
        def read(db: sqlite3.Connection) -> tuple[Any, ...]:
            account = account_of(db, str(user))  # the balance is the account's
            return tuple(db.execute(BALANCE, balance_params(account, day)).fetchone())

        return balance_from(await self._call(read, Kind.READ))
