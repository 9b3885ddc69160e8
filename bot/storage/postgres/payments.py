"""Bought credits in PostgreSQL: credit a payment once, take a refunded one back once, and a
user's recent credit movements for /history, with SQLite's SQL (payment_rows.py).

Bought credits are the account's: each change is one transaction that locks the rows of the
user and its account first (`lock_account`, as every money change here does), then the
payment's: a payment delivered by two processes at once is credited by the first, and the
second, waiting on the user's row, then finds it and adds nothing.
"""

from __future__ import annotations

from typing import Any

from bot.models import UserRef
from bot.storage import payment_rows as shared  # the SQL both backends use
from bot.storage import payment_types as pay
from bot.storage.link_rows import HISTORY
from bot.storage.postgres.connection import PgBase
from bot.storage.postgres.dialect import pg
from bot.storage.postgres.links import account_of, lock_account

PURCHASED = 'SELECT purchased FROM users WHERE "user" = $1'


class PgPayments(PgBase):
    """The store's bought credits: each change one transaction."""

    async def credit_purchase(self, purchase: pay.Purchase, now: float) -> pay.Credited:
        async def credit(db: Any) -> pay.Credited:
            account, _, _, _ = await lock_account(db, str(purchase.user), now)
            status = await db.execute(
                pg(shared.PAYMENT_INSERT), *shared.payment_values(purchase, now)
            )
            added = status == "INSERT 0 1"
            if added:
                await db.execute(pg(shared.PURCHASED_ADD), purchase.credits, account)
                await db.execute(
                    pg(shared.PAYMENT_LEDGER_INSERT), *shared.purchase_entry(purchase, now)
                )
            # The user it was credited to the first time, whoever asks again.
            user, credits = await db.fetchrow(
                'SELECT "user", credits FROM payments WHERE id = $1', purchase.id
            )
            bought = await db.fetchval(PURCHASED, await account_of(db, user))
            return pay.Credited(new=added, user=user, credits=credits, purchased=bought)

        return await self._transaction(credit)

    async def refund_purchase(self, payment_id: str, force: bool, now: float) -> pay.PaymentRefund:
        async def refund(db: Any) -> pay.PaymentRefund:
            user = await db.fetchval('SELECT "user" FROM payments WHERE id = $1', payment_id)
            if user is None:
                return pay.PaymentRefund(pay.RefundOutcome.UNKNOWN, None)
            account, _, _, left = await lock_account(db, user, now)  # taken from the account
            # Read again under the lock: a refund running meanwhile has committed by now.
            row = await db.fetchrow(pg(shared.PAYMENT_READ) + " FOR UPDATE", payment_id)
            decision = shared.decide_refund(pay.PaymentRecord(*row), left, force)
            if decision.outcome is pay.RefundOutcome.TAKEN:
                await db.execute(pg(shared.PURCHASED_ADD), -decision.taken, account)
                await db.execute(pg(shared.PAYMENT_REFUNDED), now, decision.taken, payment_id)
                await db.execute(
                    pg(shared.PAYMENT_LEDGER_INSERT), *shared.refund_entry(decision, now)
                )
            return decision

        return await self._transaction(refund)

    async def history(self, user: UserRef, limit: int = 20) -> list[pay.HistoryEntry]:
        """The last entries of every user of `user`'s account, newest first."""

        async def read(db: Any) -> list[pay.HistoryEntry]:
            account = await account_of(db, str(user))
            rows = await db.fetch(pg(HISTORY), account, account, limit)
            return shared.history_entries(rows)

        return await self._run(read)
