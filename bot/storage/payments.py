"""Bought credits in SQLite: credit a payment once, take a refunded one back once, and a
user's recent credit movements for /history.

The payment's own id is the `payments` primary key and, with the kind, a unique key of the
ledger, so a payment delivered twice (a replayed update, a restart before the platform heard
back, two processes) adds its credits once: the second insert changes nothing.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from bot.models import UserRef
from bot.storage.batching import Batcher
from bot.storage.payment_types import (
    Credited,
    HistoryEntry,
    PaymentRecord,
    PaymentRefund,
    Purchase,
    RefundOutcome,
)

PAYMENT_LEDGER_INSERT = (
    "INSERT INTO ledger (at, user, job_id, kind, amount, note, payment_id) "
    "VALUES (?, ?, NULL, ?, ?, ?, ?)"
)
_PAYMENT_COLUMNS = "id, user, product, credits, price, currency, at, refunded_at, taken_back"


class PaymentOps(Batcher):
    """The store's bought credits: each change one transaction."""

    async def credit_purchase(self, purchase: Purchase, now: float) -> Credited:
        who = str(purchase.user)

        def credit(db: sqlite3.Connection) -> Credited:
            added = db.execute(
                f"INSERT INTO payments ({_PAYMENT_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL) ON CONFLICT (id) DO NOTHING",
                (
                    purchase.id, who, purchase.product, purchase.credits, purchase.price,
                    purchase.currency, now,
                ),
            ).rowcount  # fmt: skip
            if added:
                db.execute(
                    "INSERT INTO users (user, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    (who, now),
                )
                db.execute(
                    "UPDATE users SET purchased = purchased + ? WHERE user = ?",
                    (purchase.credits, who),
                )
                db.execute(
                    PAYMENT_LEDGER_INSERT,
                    (now, who, "purchase", purchase.credits, purchase.product, purchase.id),
                )
            # The user it was credited to the first time, whoever asks again.
            user, credits = db.execute(
                "SELECT user, credits FROM payments WHERE id = ?", (purchase.id,)
            ).fetchone()
            (bought,) = db.execute("SELECT purchased FROM users WHERE user = ?", (user,)).fetchone()
            return Credited(new=bool(added), user=user, credits=credits, purchased=bought)

        return await self._transaction(credit)

    async def refund_purchase(self, payment_id: str, force: bool, now: float) -> PaymentRefund:
        def refund(db: sqlite3.Connection) -> PaymentRefund:
            row = db.execute(
                f"SELECT {_PAYMENT_COLUMNS} FROM payments WHERE id = ?", (payment_id,)
            ).fetchone()
            if row is None:
                return PaymentRefund(RefundOutcome.UNKNOWN, None)
            payment = PaymentRecord(*row)
            (left,) = db.execute(
                "SELECT purchased FROM users WHERE user = ?", (payment.user,)
            ).fetchone()
            if payment.refunded_at is not None:
                return PaymentRefund(RefundOutcome.ALREADY, payment, payment.taken_back or 0, left)
            if left < payment.credits and not force:
                return PaymentRefund(RefundOutcome.SPENT, payment, 0, left)
            taken = min(left, payment.credits)
            db.execute(
                "UPDATE users SET purchased = purchased - ? WHERE user = ?", (taken, payment.user)
            )
            db.execute(
                "UPDATE payments SET refunded_at = ?, taken_back = ? WHERE id = ?",
                (now, taken, payment_id),
            )
            note = "" if taken == payment.credits else f"forced: {payment.credits - taken} spent"
            db.execute(
                PAYMENT_LEDGER_INSERT,
                (now, payment.user, "payment_refund", -taken, note, payment_id),
            )
            return PaymentRefund(RefundOutcome.TAKEN, payment, taken, left)

        return await self._transaction(refund)

    async def history(self, user: UserRef, limit: int = 20) -> list[HistoryEntry]:
        rows = await self._all(
            "SELECT l.at, l.kind, l.amount, l.job_id, l.payment_id, l.note, "
            "CASE WHEN l.kind = 'refund' THEN j.error_code END "
            "FROM ledger l LEFT JOIN jobs j ON j.id = l.job_id "
            "WHERE l.user = ? ORDER BY l.id DESC LIMIT ?",
            (str(user), limit),
        )
        return [_entry(row) for row in rows]


def _entry(row: tuple[Any, ...]) -> HistoryEntry:
    at, kind, amount, job_id, payment_id, note, reason = row
    return HistoryEntry(
        at=at, kind=kind, amount=amount, job_id=job_id, payment_id=payment_id, note=note,
        reason=reason,
    )  # fmt: skip
