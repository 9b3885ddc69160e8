"""A cheap look at whether a user could start a video at all, before any media is
downloaded or decoded.

Decoding a photo costs far more than a database read, so a banned user, one out of credits
or one at the job limit (MAX_JOBS_PER_USER at a vendor plus MAX_QUEUED_PER_USER waiting in
the bot's queue) is turned away first. This is advisory: `Store.reserve` stays the
atomic money gate, and checks the same things again.
"""

from __future__ import annotations

import functools

from bot.config import Settings
from bot.costs import cost
from bot.errors import QuotaError
from bot.group_budget import check_pool
from bot.models import UserRef
from bot.storage.base import Store
from bot.vendors.base import VendorClient


def active_limit(settings: Settings) -> int:
    """A user's jobs at once, at a vendor or waiting in the bot's queue."""
    return settings.max_jobs_per_user + settings.max_queued_per_user


def cheapest_cost(settings: Settings, vendors: list[VendorClient]) -> int | None:
    """The least any video could cost with these vendors, or None with no models."""
    offered = tuple(
        (spec.name, spec.durations) for vendor in vendors for spec in vendor.capabilities.models
    )
    return _cheapest(tuple(settings.quota_costs.items()), offered)


@functools.lru_cache(maxsize=64)
def _cheapest(
    table: tuple[tuple[str, float], ...], offered: tuple[tuple[str, tuple[int, ...]], ...]
) -> int | None:
    """Remembered: every `/video` asks, and pricing each model's every duration (~170 with
    Runway's catalogue) took about half of the bot's CPU per `/video` (bench.intake)."""
    prices = dict(table)
    costs = [cost(prices, name, seconds) for name, durations in offered for seconds in durations]
    return min(costs) if costs else None


async def check_admission(
    store: Store,
    settings: Settings,
    vendors: list[VendorClient],
    user: UserRef,
    day: str,
    group: str | None = None,
) -> None:
    """Raise the QuotaError `Store.reserve` would raise for any video `user` asks for now
    (in the group `group`: its pool, when it has one, pays instead of the user)."""
    balance = await store.balance(user, day)
    if balance.banned:
        raise QuotaError("err_banned")
    if settings.is_admin(user):
        return
    limit = active_limit(settings)
    if balance.active >= limit:
        raise QuotaError("err_too_many_jobs", active=balance.active, limit=limit)
    cheapest = cheapest_cost(settings, vendors)
    pool = await store.group_day(group, day) if group is not None else None
    if pool is not None:
        if cheapest is not None:
            check_pool(pool, user, cheapest)
        return
    left = balance.left(settings.quota_credits_per_day)
    if cheapest is not None and left < cheapest:
        raise QuotaError("err_no_credits", cost=cheapest, left=left)
