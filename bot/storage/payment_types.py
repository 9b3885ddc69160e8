"""What the store takes and gives for bought credits: a payment to credit, the refund of
one, and the lines of a user's /history."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.models import UserRef


@dataclass(frozen=True, slots=True)
class Purchase:
    """A payment a platform confirmed: `id` is its own key, prefixed with the platform
    (`telegram:<telegram_payment_charge_id>`, `discord:<entitlement id>`)."""

    id: str
    user: UserRef
    product: str  # the pack or SKU it bought
    credits: int
    price: int  # in `currency`'s units (Stars); 0 where the platform keeps the price
    currency: str


@dataclass(frozen=True, slots=True)
class Credited:
    """The result of crediting a payment: `new` is False when it was credited before."""

    new: bool
    user: str
    credits: int
    purchased: int  # the user's bought credits now


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    id: str
    user: str
    product: str
    credits: int
    price: int
    currency: str
    at: float
    refunded_at: float | None
    taken_back: int | None


class RefundOutcome(enum.Enum):
    UNKNOWN = "unknown"  # no such payment
    SPENT = "spent"  # fewer bought credits left than the payment gave; refused
    TAKEN = "taken"  # credits taken back now
    ALREADY = "already"  # taken back before (a rerun after the platform's refund failed)


@dataclass(frozen=True, slots=True)
class PaymentRefund:
    outcome: RefundOutcome
    payment: PaymentRecord | None
    taken: int = 0  # credits taken back by this call or the earlier one
    left: int = 0  # the user's bought credits before the take-back


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One credit movement of a user, newest first, with the job or payment it belongs to
    and, for a refunded job, why it ended."""

    at: float
    kind: str  # reserve | charge | refund | grant | purchase | payment_refund
    amount: int
    job_id: str | None
    payment_id: str | None
    note: str
    reason: str | None  # the refunded job's error code
