"""The quota rule a reserve applies, the same whichever database holds the numbers."""

from __future__ import annotations

from bot.errors import QuotaError
from bot.storage.base import QuotaPolicy


def split_cost(
    policy: QuotaPolicy,
    cost: int,
    *,
    bonus: int,
    purchased: int,
    banned: bool,
    active: int,
    used: int,
) -> tuple[int, int, int]:
    """(credits from the day's allowance, from the bonus, from bought credits) that pay for a
    job of `cost`: the day's free credits first, then granted ones, then bought ones (which
    never expire, and stay refundable while unspent); QuotaError when the user may not start
    it. Admins pay nothing."""
    if banned:
        raise QuotaError("err_banned")
    if policy.unlimited:
        return 0, 0, 0
    if active >= policy.max_active:
        raise QuotaError("err_too_many_jobs", active=active, limit=policy.max_active)
    free = max(0, policy.per_day - used)
    if free + bonus + purchased < cost:
        raise QuotaError("err_no_credits", cost=cost, left=free + bonus + purchased)
    paid_daily = min(cost, free)
    paid_bonus = min(cost - paid_daily, bonus)
    return paid_daily, paid_bonus, cost - paid_daily - paid_bonus
