"""Bought credits in SQLite: credit a payment once, take a refunded one back once, and a
user's recent credit movements for /history.

The payment's own id is the `payments` primary key and, with the kind, a unique key of the
ledger, so a payment delivered twice (a replayed update, a restart before the platform heard
back, two processes) adds its credits once: the second insert changes nothing. The SQL is
shared with PostgreSQL (payment_rows.py).
"""

from __future__ import annotations

import sqlite3

from bot.models import UserRef
from bot.storage.batching import Batcher, Kind
from bot.storage.link_rows import HISTORY
from bot.storage.links import account_of, ensure_user
from bot.storage.payment_rows import (
    PAYMENT_INSERT,
    PAYMENT_LEDGER_INSERT,
    PAYMENT_READ,
    PAYMENT_REFUNDED,
    PURCHASED_ADD,
    decide_refund,
    history_entries,
    payment_values,
    purchase_entry,
    refund_entry,
)
from bot.storage.payment_types import (
    Credited,
    HistoryEntry,
    PaymentRecord,
    PaymentRefund,
    Purchase,
    RefundOutcome,
)

PURCHASED = "SELECT purchased FROM users WHERE user = ?"


class PaymentOps(Batcher):
    """The store's bought credits: each change one transaction."""

    async def credit_purchase(self, purchase: Purchase, now: float) -> Credited:
        who = str(purchase.user)

        def credit(db: sqlite3.Connection) -> Credited:
            added = db.execute(PAYMENT_INSERT, payment_values(purchase, now)).rowcount
            if added:
                ensure_user(db, who, now)
                db.execute(PURCHASED_ADD, (purchase.credits, account_of(db, who)))
                db.execute(PAYMENT_LEDGER_INSERT, purchase_entry(purchase, now))
            # The user it was credited to the first time, whoever asks again.
            user, credits = db.execute(
                "SELECT user, credits FROM payments WHERE id = ?", (purchase.id,)
            ).fetchone()
            (bought,) = db.execute(PURCHASED, (account_of(db, user),)).fetchone()
            return Credited(new=bool(added), user=user, credits=credits, purchased=bought)

        return await self._transaction(credit)

    async def refund_purchase(self, payment_id: str, force: bool, now: float) -> PaymentRefund:
        def refund(db: sqlite3.Connection) -> PaymentRefund:
            row = db.execute(PAYMENT_READ, (payment_id,)).fetchone()
            if row is None:
                return PaymentRefund(RefundOutcome.UNKNOWN, None)
            payment = PaymentRecord(*row)
            account = account_of(db, payment.user)  # bought credits are the account's
            (left,) = db.execute(PURCHASED, (account,)).fetchone()
            decision = decide_refund(payment, left, force)
            if decision.outcome is RefundOutcome.TAKEN:
                db.execute(PURCHASED_ADD, (-decision.taken, account))
                db.execute(PAYMENT_REFUNDED, (now, decision.taken, payment_id))
                db.execute(PAYMENT_LEDGER_INSERT, refund_entry(decision, now))
            return decision

        return await self._transaction(refund)

    async def history(self, user: UserRef, limit: int = 20) -> list[HistoryEntry]:
        """The last entries of every user of `user`'s account, newest first."""

        def read(db: sqlite3.Connection) -> list[HistoryEntry]:
            account = account_of(db, str(user))
            return history_entries(db.execute(HISTORY, (account, account, limit)))

        return await self._call(read, Kind.READ)
