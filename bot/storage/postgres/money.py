"""Money and job state in PostgreSQL: reserve, settle, grant, ban, transition and update.

Each money operation is one transaction that first locks the user's row, so one user's
reserves, settles and grants take turns (in this process or any other) while different
users' run side by side. Locks are always taken in the same order (user, then job, then the
day's usage), so two transactions never wait for each other. A job is charged or refunded
exactly once: the settling `UPDATE` only matches a job not settled yet.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from bot.models import ACTIVE_STATES, Job, JobState, UserRef
from bot.storage.base import NO_CHANGE, JobPatch, NewJob, QuotaPolicy
from bot.storage.postgres.connection import PgBase
from bot.storage.postgres.dialect import pg
from bot.storage.quota import split_cost
from bot.storage.rows import (
    JOB_INSERT,
    LEDGER_INSERT,
    PRUNE_MEDIA,
    assignments,
    new_job_values,
    reserved_job,
)

ACTIVE = [s.value for s in ACTIVE_STATES]
States: TypeAlias = tuple[JobState, ...]
# Creates the user's row when missing and locks it either way, returning the latest values.
LOCK_USER = (
    'INSERT INTO users ("user", created_at) VALUES ($1, $2) '
    'ON CONFLICT ("user") DO UPDATE SET "user" = EXCLUDED."user" RETURNING bonus, banned, purchased'
)
# What a reserve writes once its payment is known, in one round trip: the day's usage (not
# for admins, $4), the bonus and bought credits spent ($5, $6), the job ($7-$20) and its
# ledger row ($21-$26).
RESERVE_WRITES = (
    'WITH usage AS (INSERT INTO daily_usage ("user", day, used) '
    "SELECT $1::text, $2::text, $3::integer WHERE $4::boolean "
    'ON CONFLICT ("user", day) DO UPDATE SET used = daily_usage.used + EXCLUDED.used), '
    "bonus AS (UPDATE users SET bonus = bonus - $5, purchased = purchased - $6 "
    'WHERE "user" = $1 AND ($5 > 0 OR $6 > 0)), '
    f"job AS ({pg(JOB_INSERT, 7)}) "
    f"{pg(LEDGER_INSERT, 21)}"
)
REFUND = (
    "WITH usage AS (UPDATE daily_usage SET used = used - $1 "
    'WHERE "user" = $4 AND day = $5 RETURNING used) '
    'UPDATE users SET bonus = bonus + $2, purchased = purchased + $3 WHERE "user" = $4'
)


class PgMoney(PgBase):
    """The store's writes: every credit and every job state change goes through here."""

    async def reserve(self, job: NewJob, policy: QuotaPolicy, now: float) -> Job:
        user = str(job.user)

        async def reserve(db: Any) -> None:
            bonus, banned, bought = await db.fetchrow(LOCK_USER, user, now)
            # A statement of its own, after the lock: it sees what the last holder committed.
            active, used = await db.fetchrow(
                'SELECT (SELECT COUNT(*) FROM jobs WHERE "user" = $1 AND state = ANY($2)), '
                '(SELECT used FROM daily_usage WHERE "user" = $1 AND day = $3)',
                user, ACTIVE, policy.day,
            )  # fmt: skip
            paid = split_cost(
                policy, job.cost, bonus=bonus, purchased=bought, banned=bool(banned),
                active=active, used=used or 0,
            )  # fmt: skip
            paid_daily, paid_bonus, paid_bought = paid
            await db.execute(
                RESERVE_WRITES,
                user, policy.day, paid_daily, not policy.unlimited, paid_bonus, paid_bought,
                *new_job_values(job, paid, policy.day, now),
                now, user, job.id, "reserve", sum(paid), "",
            )  # fmt: skip
            if job.media:
                await db.executemany(
                    "INSERT INTO job_media (job_id, role, mime, filename, data) "
                    "VALUES ($1, $2, $3, $4, $5)",
                    [(job.id, r, m.mime, m.filename, m.data) for r, m in job.media.items()],
                )

        await self._transaction(reserve)
        return reserved_job(job, now)

    async def settle(
        self, job_id: str, *, charge: bool, state: JobState, now: float, patch: JobPatch = NO_CHANGE
    ) -> bool:
        sets, values = assignments(patch, first=5)
        settled = "charged" if charge else "refunded"

        async def settle(db: Any) -> bool:
            row = await db.fetchrow(
                'SELECT "user", paid_daily, paid_bonus, paid_purchased, quota_day FROM jobs '
                "WHERE id = $1 AND settled IS NULL",
                job_id,
            )
            if row is None:
                return False
            user, paid_daily, paid_bonus, paid_bought, day = row
            await db.execute('SELECT 1 FROM users WHERE "user" = $1 FOR UPDATE', user)
            status = await db.execute(
                f"UPDATE jobs SET settled = $1, state = $2, updated_at = $3{sets} "
                "WHERE id = $4 AND settled IS NULL",
                settled, state.value, now, job_id, *values,
            )  # fmt: skip
            if status != "UPDATE 1":  # settled by another meanwhile
                return False
            if not charge:  # both payments back, in one round trip
                await db.execute(REFUND, paid_daily, paid_bonus, paid_bought, user, day)
            kind = "charge" if charge else "refund"
            amount = paid_daily + paid_bonus + paid_bought
            await db.execute(pg(LEDGER_INSERT), now, user, job_id, kind, amount, "")
            return True

        return await self._transaction(settle)

    async def prune_media(self, before: float) -> int:
        return await self._execute(pg(PRUNE_MEDIA), before)

    async def grant(self, user: UserRef, credits: int, now: float, note: str = "") -> int:
        """Add bonus credits (negative takes them away, never below zero); returns the bonus.
        The ledger records the change made: taking 1,000 from a bonus of 5 records -5."""
        who = str(user)

        async def grant(db: Any) -> int:
            before, _, _ = await db.fetchrow(LOCK_USER, who, now)
            bonus = max(0, int(before) + credits)
            await db.execute('UPDATE users SET bonus = $1 WHERE "user" = $2', bonus, who)
            await db.execute(pg(LEDGER_INSERT), now, who, None, "grant", bonus - before, note)
            return bonus

        return await self._transaction(grant)

    async def set_banned(self, user: UserRef, banned: bool, now: float) -> None:
        await self._execute(
            'INSERT INTO users ("user", created_at, banned) VALUES ($1, $2, $3) '
            'ON CONFLICT ("user") DO UPDATE SET banned = EXCLUDED.banned',
            str(user), now, int(banned),
        )  # fmt: skip

    async def transition(
        self, job_id: str, expect: States, state: JobState, now: float, patch: JobPatch = NO_CHANGE
    ) -> bool:
        sets, values = assignments(patch, first=5)
        changed = await self._execute(
            f"UPDATE jobs SET state = $1, updated_at = $2{sets} "
            "WHERE id = $3 AND settled IS NULL AND state = ANY($4)",
            state.value, now, job_id, [s.value for s in expect], *values,
        )  # fmt: skip
        return changed == 1

    async def update(self, job_id: str, now: float, patch: JobPatch) -> None:
        sets, values = assignments(patch, first=3)
        await self._execute(
            f"UPDATE jobs SET updated_at = $1{sets} WHERE id = $2", now, job_id, *values
        )
