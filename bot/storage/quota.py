"""The quota rule a reserve applies, the same whichever database holds the numbers."""

from __future__ import annotations

from bot.errors import QuotaError
from bot.storage.base import QuotaPolicy


def split_cost(
    policy: QuotaPolicy, cost: int, *, bonus: int, banned: bool, active: int, used: int
) -> tuple[int, int]:
    """(credits from the day's allowance, credits from the bonus) that pay for a job of
    `cost`, the day's first; QuotaError when the user may not start it. Admins pay nothing."""
    if banned:
        raise QuotaError("err_banned")
    if policy.unlimited:
        return 0, 0
    if active >= policy.max_active:
        raise QuotaError("err_too_many_jobs", active=active, limit=policy.max_active)
    free = max(0, policy.per_day - used)
    if free + bonus < cost:
        raise QuotaError("err_no_credits", cost=cost, left=free + bonus)
    paid_daily = min(cost, free)
    return paid_daily, cost - paid_daily
