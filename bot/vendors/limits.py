"""What a vendor says about how many tasks it runs at once for this account."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class VendorLimits:
    """Concurrency a vendor reports: for the whole account, and per model where it limits
    each model apart (Runway's tier). None or absent: it did not say."""

    total: int | None = None
    per_model: dict[str, int] = field(default_factory=dict)
    per_day: dict[str, int] = field(default_factory=dict)  # generations a day, where reported
    used_today: dict[str, int] = field(default_factory=dict)  # of those, used (per model)


def useapi_accounts_limits(body: Any) -> VendorLimits:
    """useapi.net's GET /accounts: each Runway account runs up to its `maxJobs` at once (more
    are refused with 429), so the key runs their sum. Only that number is read: the answer
    also holds the accounts' passwords and session tokens."""
    accounts = body.values() if isinstance(body, dict) else ()
    caps = [a.get("maxJobs") for a in accounts if isinstance(a, dict)]
    total = sum(c for c in caps if isinstance(c, int) and not isinstance(c, bool) and c > 0)
    return VendorLimits(total=total or None)
