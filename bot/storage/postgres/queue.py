"""The queue several processes share, in PostgreSQL (see bot/storage/queue_types.py).

A claim holds an advisory lock on its vendor for its transaction, so two processes never
count the same free slot twice, and one on the user it grants, so two vendors' claims never
give one user more than MAX_JOBS_PER_USER (locks always taken vendor, then user).
"""

from __future__ import annotations

from typing import Any

from bot.models import Job
from bot.storage import queue_sql
from bot.storage.postgres.connection import PgBase
from bot.storage.postgres.dialect import pg
from bot.storage.queue_types import Room, model_of, pick
from bot.storage.rows import JOB_COLUMNS, row_to_job

VENDOR_LOCK, USER_LOCK = 0x76717565, 0x76717566  # advisory lock classes ("vque", "vquf")
LOCK = "SELECT pg_advisory_xact_lock($1, hashtext($2))"
WAITING = pg(queue_sql.WAITING.format(lists_vendor="jsonb_exists(request::jsonb -> 'vendors', ?)"))
USERS = pg(queue_sql.USERS.format(users="SELECT unnest(?::text[])"))
GRANT = pg(queue_sql.GRANT + f" RETURNING {JOB_COLUMNS}")


class PgQueue(PgBase):
    shared = True

    async def claim_queued(self, room: Room, owner: str, now: float, until: float) -> Job | None:
        async def claim(db: Any) -> Job | None:
            await db.execute(LOCK, VENDOR_LOCK, room.vendor)
            pools = {p: n for p, n in await db.fetch(pg(queue_sql.POOLS), room.vendor)}
            rows = await db.fetch(WAITING, now, room.vendor, queue_sql.CANDIDATES_LIMIT)
            waiting = [row_to_job(r) for r in rows]
            while waiting:
                busy = {
                    u: n for u, n in await db.fetch(USERS, list({str(j.user) for j in waiting}))
                }
                job = pick(room, waiting, pools, busy)
                if job is None:
                    return None
                user = str(job.user)
                await db.execute(LOCK, USER_LOCK, user)
                # Under the user's lock: another vendor's claim may have just granted one.
                now_busy = {u: n for u, n in await db.fetch(USERS, [user])}.get(user, 0)
                if user in room.admins or now_busy < room.per_user:
                    pool = room.capacity.pool(model_of(job))
                    row = await db.fetchrow(GRANT, room.vendor, pool, owner, until, job.id)
                    if row is not None:
                        await db.execute(pg(queue_sql.TURN), user, now)
                        return row_to_job(row)
                waiting = [j for j in waiting if j.id != job.id]
            return None

        return await self._transaction(claim)
