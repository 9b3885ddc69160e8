"""How many tasks each vendor may run for the bot at once.

`<ID>_MAX_CONCURRENT` wins; unset, what the vendor reports (`VendorClient.limits()`), else
DEFAULT_MAX_CONCURRENT. A vendor that limits each model apart (Runway's tier lists
`maxConcurrentGenerations` per model) gets a pool per model, and the setting then applies
to each model; otherwise one pool for the vendor. Jobs beyond a pool's limit wait in the
bot's queue instead of sitting throttled at the vendor, their deadline running. A vendor's
generations a day per model (Runway's `maxDailyGenerations`) are counted in daily.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.vendors.limits import VendorLimits

DEFAULT_MAX_CONCURRENT = 10  # tasks at once at a vendor that says nothing (Runway tier 4)
ANY_MODEL = "*"


@dataclass(frozen=True, slots=True)
class Capacity:
    """One vendor's pools: one for all models, or one per model."""

    limit: int  # of the single pool, or of a per-model pool the vendor did not list
    per_model: dict[str, int] = field(default_factory=dict)
    by_model: bool = False
    per_day: dict[str, int] = field(default_factory=dict)  # generations a day, per model

    def pool(self, model: str) -> str:
        return model if self.by_model else ANY_MODEL

    def limit_of(self, model: str) -> int:
        return self.per_model.get(model, self.limit) if self.by_model else self.limit

    def daily_limit(self, model: str) -> int | None:
        return self.per_day.get(model)


def resolve(configured: int | None, reported: VendorLimits | None) -> Capacity:
    """The capacity from the operator's setting and the vendor's own report."""
    per_model = dict(reported.per_model) if reported is not None else {}
    per_day = dict(reported.per_day) if reported is not None else {}
    if per_model:
        if configured is not None:
            return Capacity(configured, {m: configured for m in per_model}, True, per_day)
        return Capacity(min(per_model.values()), per_model, True, per_day)
    if configured is not None:
        return Capacity(configured, per_day=per_day)
    if reported is not None and reported.total:
        return Capacity(reported.total, per_day=per_day)
    return Capacity(DEFAULT_MAX_CONCURRENT, per_day=per_day)
