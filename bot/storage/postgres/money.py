"""Money and job state in PostgreSQL: reserve, settle, grant, ban, transition and update.

Each money operation is one transaction that first locks the rows of the user and of its
account (see links.py), so one account's reserves, settles and grants take turns (in this
process or any other) while different accounts' run side by side. Locks are always taken in
the same order (users by name, then job, then the day's usage), so two transactions never
wait for each other. A job is charged or refunded exactly once: the settling `UPDATE` only
matches a job not settled yet.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from bot.models import Job, JobState, UserRef
from bot.storage.base import NO_CHANGE, JobPatch, NewJob, QuotaPolicy
from bot.storage.group_rows import pool_note
from bot.storage.link_rows import SET_BANNED
from bot.storage.postgres.connection import PgBase
from bot.storage.postgres.dialect import pg
from bot.storage.postgres.groups import mark_paid, paying_pool, refund_to_pool, take_from_pool
from bot.storage.postgres.links import active_of, lock_account, used_on
from bot.storage.quota import split_cost
from bot.storage.rows import (
    JOB_INSERT,
    LEDGER_INSERT,
    PRUNE_MEDIA,
    assignments,
    new_job_values,
    reserved_job,
)

States: TypeAlias = tuple[JobState, ...]
# What a reserve writes once its payment is known, in one round trip: the day's usage (not
# for admins, $4), the bonus and bought credits spent ($5, $6, from the account $27), the job
# ($7-$20) and its ledger row ($21-$26).
RESERVE_WRITES = (
    'WITH usage AS (INSERT INTO daily_usage ("user", day, used) '
    "SELECT $1::text, $2::text, $3::integer WHERE $4::boolean "
    'ON CONFLICT ("user", day) DO UPDATE SET used = daily_usage.used + EXCLUDED.used), '
    "bonus AS (UPDATE users SET bonus = bonus - $5, purchased = purchased - $6 "
    'WHERE "user" = $27 AND ($5 > 0 OR $6 > 0)), '
    f"job AS ({pg(JOB_INSERT, 7)}) "
    f"{pg(LEDGER_INSERT, 21)}"
)
REFUND = (
    "WITH usage AS (UPDATE daily_usage SET used = used - $1 "
    'WHERE "user" = $4 AND day = $5 RETURNING used) '
    'UPDATE users SET bonus = bonus + $2, purchased = purchased + $3 WHERE "user" = $6'
)


class PgMoney(PgBase):
    """The store's writes: every credit and every job state change goes through here."""

    async def reserve(self, job: NewJob, policy: QuotaPolicy, now: float) -> Job:
        user = str(job.user)

        async def reserve(db: Any) -> None:
            account, bonus, banned, bought = await lock_account(db, user, now)
            # Statements of their own, after the lock: they see what the last holder committed.
            active = await active_of(db, account)
            used = await used_on(db, account, policy.day)  # the free credits are the account's
            pool = await paying_pool(db, job, policy)  # locked; a group's jobs take none of theirs
            paid = split_cost(
                policy, 0 if pool else job.cost, bonus=bonus, purchased=bought,
                banned=bool(banned), active=active, used=used,
            )  # fmt: skip
            if pool is not None:
                await take_from_pool(db, pool, job, policy)
            paid_daily, paid_bonus, paid_bought = paid
            await db.execute(
                RESERVE_WRITES,
                user, policy.day, paid_daily, not policy.unlimited, paid_bonus, paid_bought,
                *new_job_values(job, paid, policy.day, now),
                now, user, job.id, "reserve", sum(paid), pool_note(pool, job.cost), account,
            )  # fmt: skip
            if pool is not None:
                await mark_paid(db, pool, job, policy)
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
            account, _, _, _ = await lock_account(db, user, now)
            status = await db.execute(
                f"UPDATE jobs SET settled = $1, state = $2, updated_at = $3{sets} "
                "WHERE id = $4 AND settled IS NULL",
                settled, state.value, now, job_id, *values,
            )  # fmt: skip
            if status != "UPDATE 1":  # settled by another meanwhile
                return False
            if not charge:  # both payments back in one round trip, a pool's share in one more
                await db.execute(REFUND, paid_daily, paid_bonus, paid_bought, user, day, account)
                await refund_to_pool(db, job_id)
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
            account, before, _, _ = await lock_account(db, who, now)  # the account's credits
            bonus = max(0, before + credits)
            await db.execute('UPDATE users SET bonus = $1 WHERE "user" = $2', bonus, account)
            await db.execute(pg(LEDGER_INSERT), now, account, None, "grant", bonus - before, note)
            return bonus

        return await self._transaction(grant)

    async def set_banned(self, user: UserRef, banned: bool, now: float) -> None:
        async def set_banned(db: Any) -> None:
            account, _, _, _ = await lock_account(db, str(user), now)  # a ban is the account's
            await db.execute(pg(SET_BANNED), int(banned), account)

        await self._transaction(set_banned)

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
