"""The shared queue's claim in SQLite (see queue_types.py). One bot uses a SQLite file and
keeps its line in memory (bot/jobs/queue.py), so the engine does not call this there; it is
here so that the `Store` is the same on both backends, and a batch's transaction makes the
count-then-grant atomic without locks of its own."""

from __future__ import annotations

import json
import sqlite3

from bot.models import Job
from bot.storage import queue_sql
from bot.storage.batching import Batcher
from bot.storage.queue_types import Room, model_of, pick
from bot.storage.rows import JOB_COLUMNS, row_to_job

WAITING = queue_sql.WAITING.format(
    lists_vendor="EXISTS (SELECT 1 FROM json_each(request, '$.vendors') WHERE value = ?)"
)
USERS = queue_sql.USERS.format(users="SELECT value FROM json_each(?)")
GRANT = queue_sql.GRANT + f" RETURNING {JOB_COLUMNS}"


class Queue(Batcher):
    shared = False

    async def claim_queued(self, room: Room, owner: str, now: float, until: float) -> Job | None:
        def claim(db: sqlite3.Connection) -> Job | None:
            pools = dict(db.execute(queue_sql.POOLS, (room.vendor,)).fetchall())
            rows = db.execute(WAITING, (now, room.vendor, queue_sql.CANDIDATES_LIMIT))
            waiting = [row_to_job(r) for r in rows.fetchall()]
            users = json.dumps(sorted({str(j.user) for j in waiting}))
            job = pick(room, waiting, pools, dict(db.execute(USERS, (users,)).fetchall()))
            if job is None:
                return None
            pool = room.capacity.pool(model_of(job))
            row = db.execute(GRANT, (room.vendor, pool, owner, until, job.id)).fetchone()
            db.execute(queue_sql.TURN, (str(job.user), now))
            return row_to_job(row)

        return await self._transaction(claim)
