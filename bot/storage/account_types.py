"""What a reconciliation reads of the whole store (`Store.accounts`): every job's payment,
every day's usage and every balance, so each credit can be checked against the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class JobAccount:
    """What one job holds and paid, for reconciling every credit against the ledger."""

    id: str
    user: str
    state: str
    settled: str | None  # charged | refunded, once settled
    cost: int
    paid_daily: int
    paid_bonus: int
    quota_day: str
    request: dict[str, Any]
    vendor: str | None
    vendor_task_id: str | None
    error_code: str | None
    paid_purchased: int = 0


@dataclass(frozen=True, slots=True)
class DailyUsage:
    user: str
    day: str
    used: int


@dataclass(frozen=True, slots=True)
class Accounts:
    """Every job's payment, every day's usage and every bonus balance, read together."""

    jobs: list[JobAccount]
    usage: list[DailyUsage]
    bonuses: dict[str, int]  # user -> bonus credits
    purchased: dict[str, int] = field(default_factory=dict)  # user -> bought credits
