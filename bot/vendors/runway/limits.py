"""Runway's tier limits, read from `GET /v1/organization`.

The organization's tier lists, per model, `maxConcurrentGenerations` (more are accepted but
sit THROTTLED, their time eaten from the job's deadline) and `maxDailyGenerations`.
"""

from __future__ import annotations

from typing import Any

from bot.vendors.limits import VendorLimits


def _positive(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def organization_limits(body: Any) -> VendorLimits:
    """The limits in an organization body; empty when it lists none."""
    tier = body.get("tier") if isinstance(body, dict) else None
    models = tier.get("models") if isinstance(tier, dict) else None
    concurrent: dict[str, int] = {}
    daily: dict[str, int] = {}
    for name, limits in (models or {}).items() if isinstance(models, dict) else ():
        if not isinstance(limits, dict):
            continue
        if (most := _positive(limits.get("maxConcurrentGenerations"))) is not None:
            concurrent[str(name)] = most
        if (per_day := _positive(limits.get("maxDailyGenerations"))) is not None:
            daily[str(name)] = per_day
    return VendorLimits(per_model=concurrent, per_day=daily)
