"""Bought credits laid out the same in SQLite and PostgreSQL: the payments columns, the
ledger rows a payment writes, /history's read, and what a payment's refund may take back.
Both backends' payment rooms use these (`postgres.dialect.pg` turns the SQL into
PostgreSQL's)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.storage.payment_types import (
    HistoryEntry,
    PaymentRecord,
    PaymentRefund,
    Purchase,
    RefundOutcome,
)

PAYMENT_COLUMNS = "id, user, product, credits, price, currency, at, refunded_at, taken_back"
PAYMENT_READ = f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE id = ?"
# A new payment; a second one with the same id changes nothing (credited once).
PAYMENT_INSERT = (
    f"INSERT INTO payments ({PAYMENT_COLUMNS}) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL) ON CONFLICT (id) DO NOTHING"
)
PAYMENT_REFUNDED = "UPDATE payments SET refunded_at = ?, taken_back = ? WHERE id = ?"
PURCHASED_ADD = "UPDATE users SET purchased = purchased + ? WHERE user = ?"
PAYMENT_LEDGER_INSERT = (
    "INSERT INTO ledger (at, user, job_id, kind, amount, note, payment_id) "
    "VALUES (?, ?, NULL, ?, ?, ?, ?)"
)
# A user's last ledger entries, newest first, with a refunded job's reason.
HISTORY_READ = (
    "SELECT l.at, l.kind, l.amount, l.job_id, l.payment_id, l.note, "
    "CASE WHEN l.kind = 'refund' THEN j.error_code END "
    "FROM ledger l LEFT JOIN jobs j ON j.id = l.job_id "
    "WHERE l.user = ? ORDER BY l.id DESC LIMIT ?"
)


def payment_values(purchase: Purchase, now: float) -> tuple[Any, ...]:
    """The values of `PAYMENT_INSERT` for a payment being credited."""
    return (
        purchase.id, str(purchase.user), purchase.product, purchase.credits, purchase.price,
        purchase.currency, now,
    )  # fmt: skip


def purchase_entry(purchase: Purchase, now: float) -> tuple[Any, ...]:
    """The values of `PAYMENT_LEDGER_INSERT` for a payment being credited."""
    return (now, str(purchase.user), "purchase", purchase.credits, purchase.product, purchase.id)


def decide_refund(payment: PaymentRecord, left: int, force: bool) -> PaymentRefund:
    """What refunding `payment` does while its user has `left` bought credits: TAKEN (with
    the credits to take back now) unless taken back before (ALREADY) or fewer are left than
    it gave and not `force` (SPENT)."""
    if payment.refunded_at is not None:
        return PaymentRefund(RefundOutcome.ALREADY, payment, payment.taken_back or 0, left)
    if left < payment.credits and not force:
        return PaymentRefund(RefundOutcome.SPENT, payment, 0, left)
    return PaymentRefund(RefundOutcome.TAKEN, payment, min(left, payment.credits), left)


def refund_entry(refund: PaymentRefund, now: float) -> tuple[Any, ...]:
    """The values of `PAYMENT_LEDGER_INSERT` for a TAKEN refund; its note says what was spent
    when a forced one took back less than the payment gave."""
    assert refund.payment is not None
    payment, taken = refund.payment, refund.taken
    note = "" if taken == payment.credits else f"forced: {payment.credits - taken} spent"
    return (now, payment.user, "payment_refund", -taken, note, payment.id)


def history_entries(rows: Iterable[Iterable[Any]]) -> list[HistoryEntry]:
    """`HistoryEntry`s from the rows of `HISTORY_READ` (its columns in the fields' order)."""
    return [HistoryEntry(*row) for row in rows]
