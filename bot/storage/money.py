"""Money and job state in SQLite: reserve, settle, grant, ban, transition and update.

Each money operation is one transaction (a savepoint of its batch, see batching.py), so
credits are held with the job they pay for, and a job is charged or refunded exactly once.
"""

from __future__ import annotations

import sqlite3

from bot.models import Job, JobState, UserRef
from bot.storage.base import NO_CHANGE, JobPatch, NewJob, QuotaPolicy
from bot.storage.batching import Batcher
from bot.storage.group_rows import pool_note
from bot.storage.groups import mark_paid, paying_pool, refund_to_pool, take_from_pool
from bot.storage.link_rows import ACCOUNT_BALANCE, ADD_BONUS
from bot.storage.links import account_of, active_of, ensure_user, used_on
from bot.storage.quota import split_cost
from bot.storage.rows import (
    JOB_INSERT,
    LEDGER_INSERT,
    PRUNE_MEDIA,
    assignments,
    new_job_values,
    reserved_job,
)


class MoneyOps(Batcher):
    """The store's writes: every credit and every job state change goes through here."""

    # money

    async def reserve(self, job: NewJob, policy: QuotaPolicy, now: float) -> Job:
        user = str(job.user)

        def reserve(db: sqlite3.Connection) -> None:
            ensure_user(db, user, now)
            account = account_of(db, user)  # bonus, bought credits and ban are the account's
            bonus, banned, bought = db.execute(ACCOUNT_BALANCE, (account,)).fetchone()
            active = active_of(db, account)
            used = used_on(db, account, policy.day)  # the free credits are the account's
            pool = paying_pool(db, job, policy)  # a group's jobs take none of their own
            paid = split_cost(
                policy, 0 if pool else job.cost, bonus=bonus, purchased=bought,
                banned=bool(banned), active=active, used=used,
            )  # fmt: skip
            if pool is not None:
                take_from_pool(db, pool, job, policy)
            paid_daily, paid_bonus, paid_bought = paid
            if not policy.unlimited:
                db.execute(
                    "INSERT INTO daily_usage (user, day, used) VALUES (?, ?, ?) "
                    "ON CONFLICT (user, day) DO UPDATE SET used = used + excluded.used",
                    (user, policy.day, paid_daily),
                )
            if paid_bonus or paid_bought:
                db.execute(ADD_BONUS, (-paid_bonus, -paid_bought, account))
            db.execute(JOB_INSERT, new_job_values(job, paid, policy.day, now))
            if pool is not None:
                mark_paid(db, pool, job)
            for role, media in job.media.items():
                db.execute(
                    "INSERT INTO job_media (job_id, role, mime, filename, data) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (job.id, role, media.mime, media.filename, media.data),
                )
            note = pool_note(pool, job.cost)
            db.execute(LEDGER_INSERT, (now, user, job.id, "reserve", sum(paid), note))

        await self._transaction(reserve)
        return reserved_job(job, now)

    async def settle(
        self, job_id: str, *, charge: bool, state: JobState, now: float, patch: JobPatch = NO_CHANGE
    ) -> bool:
        sets, values = assignments(patch)

        def settle(db: sqlite3.Connection) -> bool:
            row = db.execute(
                "SELECT user, paid_daily, paid_bonus, paid_purchased, quota_day, settled "
                "FROM jobs WHERE id = ?",
                (job_id,),
            ).fetchone()
            if row is None or row[5] is not None:
                return False
            user, paid_daily, paid_bonus, paid_bought, day, _ = row
            settled = "charged" if charge else "refunded"
            db.execute(
                f"UPDATE jobs SET settled = ?, state = ?, updated_at = ?{sets} WHERE id = ?",
                (settled, state.value, now, *values, job_id),
            )
            if not charge:
                db.execute(
                    "UPDATE daily_usage SET used = used - ? WHERE user = ? AND day = ?",
                    (paid_daily, user, day),
                )
                # back to the account (linking waits for no active job)
                db.execute(ADD_BONUS, (paid_bonus, paid_bought, account_of(db, user)))
                refund_to_pool(db, job_id)
            kind = "charge" if charge else "refund"
            paid = paid_daily + paid_bonus + paid_bought
            db.execute(LEDGER_INSERT, (now, user, job_id, kind, paid, ""))
            return True

        return await self._transaction(settle)

    async def prune_media(self, before: float) -> int:
        """Drop the input media of jobs settled before `before` (kept until then for Again)."""
        return await self._write(PRUNE_MEDIA, (before,))

    async def grant(self, user: UserRef, credits: int, now: float, note: str = "") -> int:
        """Add bonus credits (negative takes them away, never below zero); returns the bonus.

        The ledger records the change made: taking 1,000 from a bonus of 5 records -5."""
        user_of = str(user)

        def grant(db: sqlite3.Connection) -> int:
            ensure_user(db, user_of, now)
            who = account_of(db, user_of)  # a linked user's credits are its account's
            (before,) = db.execute("SELECT bonus FROM users WHERE user = ?", (who,)).fetchone()
            bonus = max(0, int(before) + credits)
            db.execute("UPDATE users SET bonus = ? WHERE user = ?", (bonus, who))
            # The row says what really moved, so the ledger always adds up to the balances.
            db.execute(LEDGER_INSERT, (now, who, None, "grant", bonus - before, note))
            return bonus

        return await self._transaction(grant)

    async def set_banned(self, user: UserRef, banned: bool, now: float) -> None:
        who = str(user)

        def set_banned(db: sqlite3.Connection) -> None:
            ensure_user(db, who, now)
            account = account_of(db, who)  # a ban is the account's
            db.execute("UPDATE users SET banned = ? WHERE user = ?", (int(banned), account))

        await self._transaction(set_banned)

    # job state

    async def transition(
        self,
        job_id: str,
        expect: tuple[JobState, ...],
        state: JobState,
        now: float,
        patch: JobPatch = NO_CHANGE,
    ) -> bool:
        sets, values = assignments(patch)
        marks = ",".join("?" * len(expect))
        changed = await self._write(
            f"UPDATE jobs SET state = ?, updated_at = ?{sets} "
            f"WHERE id = ? AND settled IS NULL AND state IN ({marks})",
            (state.value, now, *values, job_id, *(s.value for s in expect)),
        )
        return changed == 1

    async def update(self, job_id: str, now: float, patch: JobPatch) -> None:
        sets, values = assignments(patch)
        await self._write(
            f"UPDATE jobs SET updated_at = ?{sets} WHERE id = ?", (now, *values, job_id)
        )
