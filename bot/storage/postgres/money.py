"""Money and job state in PostgreSQL: settle, grant, ban, transition and update (reserves:
intake.py).

Each money operation is one transaction that first locks the rows of the user and of its
account (see links.py), so one account's reserves, settles and grants take turns (in this
process or any other) while different accounts' run side by side. Locks are always taken in
the same order (users by name, then job, then the day's usage), so two transactions never
wait for each other. A job is charged or refunded exactly once: the settling `UPDATE` only
matches a job not settled yet.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from bot.models import JobState, UserRef
from bot.storage.base import NO_CHANGE, JobPatch
from bot.storage.link_rows import SET_BANNED
from bot.storage.postgres.connection import PgBase
from bot.storage.postgres.dialect import pg
from bot.storage.postgres.groups import refund_to_pool
from bot.storage.postgres.links import lock_account
from bot.storage.rows import LEDGER_INSERT, PRUNE_MEDIA, assignments

States: TypeAlias = tuple[JobState, ...]
REFUND = (
    "WITH usage AS (UPDATE daily_usage SET used = used - $1 "
    'WHERE "user" = $4 AND day = $5 RETURNING used) '
    'UPDATE users SET bonus = bonus + $2, purchased = purchased + $3 WHERE "user" = $6'
)


class PgMoney(PgBase):
    """The store's writes: every credit and every job state change goes through here."""

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
