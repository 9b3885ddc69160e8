"""Runway's tier limits, read from `GET /v1/organization`.

The organization's tier lists, per model, `maxConcurrentGenerations` (more are accepted but
sit THROTTLED, their time eaten from the job's deadline) and `maxDailyGenerations` (more are
refused with 429); its usage, per model, the `dailyGenerations` run in the past day.
"""

from __future__ import annotations

from typing import Any

from bot.vendors.limits import VendorLimits


def _models(part: Any) -> dict[str, dict[str, Any]]:
    """`part.models` (the tier's or the usage's), only its well-formed entries."""
    models = part.get("models") if isinstance(part, dict) else None
    if not isinstance(models, dict):
        return {}
    return {str(name): value for name, value in models.items() if isinstance(value, dict)}


def _counts(models: dict[str, dict[str, Any]], key: str, least: int = 1) -> dict[str, int]:
    found = {name: value.get(key) for name, value in models.items()}
    return {
        name: n
        for name, n in found.items()
        if isinstance(n, int) and not isinstance(n, bool) and n >= least
    }


def organization_limits(body: Any) -> VendorLimits:
    """The limits in an organization body; empty when it lists none."""
    tier = _models(body.get("tier") if isinstance(body, dict) else None)
    usage = _models(body.get("usage") if isinstance(body, dict) else None)
    return VendorLimits(
        per_model=_counts(tier, "maxConcurrentGenerations"),
        per_day=_counts(tier, "maxDailyGenerations"),
        used_today=_counts(usage, "dailyGenerations", least=0),
    )
