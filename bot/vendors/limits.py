"""What a vendor says about how many tasks it runs at once for this account."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class VendorLimits:
    """Concurrency a vendor reports: for the whole account, and per model where it limits
    each model apart (Runway's tier). None or absent: it did not say."""

    total: int | None = None
    per_model: dict[str, int] = field(default_factory=dict)
    per_day: dict[str, int] = field(default_factory=dict)  # generations a day, where reported
