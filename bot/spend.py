"""What a job cost the operator in money (USD): the vendor's price per model and second.

VENDOR_PRICES (`vendor:model=usd_per_second`, comma separated; `*` for any model of a
vendor) overrides the defaults. The defaults are what is published: Runway's developer API
charges its credits per second per model at $0.01 a credit (`bot.costs.RUNWAY_RATES`). The
resellers publish no per-model money price, so they cost 0 until the operator prices them.

Where the vendor's answer carries its own charge (Runway's `estimatedCost`/`cost`, in Runway
credits), that is used instead of the table: it is what the invoice will say. A job that was
refunded cost nothing unless the vendor reported a charge for it (Runway's final `cost`,
0 when it did not bill the task); the resellers' refunded tasks are assumed free.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.costs import RUNWAY_RATES
from bot.storage.base import Store

RUNWAY_CREDIT_USD = 0.01  # Runway's published price of one API credit
WILDCARD = "*"
# Vendors whose `vendor_cost` is Runway credits, billed in money at RUNWAY_CREDIT_USD.
RUNWAY_BILLED = ("runway",)

DEFAULT_PRICES: dict[str, float] = {
    f"runway:{model}": rate * RUNWAY_CREDIT_USD for model, rate in RUNWAY_RATES.items()
}

_KEY = re.compile(r"[a-z0-9-]{1,32}:([A-Za-z0-9][A-Za-z0-9._-]{0,63}|\*)")


def parse_prices(value: str) -> dict[str, float]:
    """`runway:gen4_turbo=0.05, apiframe:*=0.03` -> {key: usd per second}; ValueError
    naming the first bad entry."""
    table: dict[str, float] = {}
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        key, sep, price = entry.partition("=")
        key = key.strip()
        if not sep or not _KEY.fullmatch(key):
            raise ValueError(f"{entry!r}: expected vendor:model=usd_per_second")
        try:
            usd = float(price)
        except ValueError:
            raise ValueError(f"{entry!r}: {price.strip()!r} is not a number") from None
        if not 0 <= usd <= 1000:
            raise ValueError(f"{entry!r}: a price per second is between 0 and 1000 USD")
        table[key] = usd
    return table


def per_second(prices: Mapping[str, float], vendor: str, model: str) -> float:
    """USD a second for `model` at `vendor`: the operator's price, else the published one
    (Runway: the longest model-name prefix it prices), else 0."""
    for key in (f"{vendor}:{model}", f"{vendor}:{WILDCARD}"):
        if key in prices:
            return prices[key]
    if vendor in RUNWAY_BILLED:
        known = [m for m in RUNWAY_RATES if model.startswith(m)]
        if known:
            return DEFAULT_PRICES[f"runway:{max(known, key=len)}"]
    return 0.0


def job_spend(
    prices: Mapping[str, float],
    vendor: str,
    model: str,
    seconds: int,
    *,
    delivered: bool,
    vendor_cost: float | None,
) -> float:
    """What one settled job cost the operator, in USD (see the module docstring)."""
    if vendor in RUNWAY_BILLED and vendor_cost is not None:
        return round(vendor_cost * RUNWAY_CREDIT_USD, 6)
    if not delivered:
        return 0.0
    return round(per_second(prices, vendor, model) * seconds, 6)


def parse_thresholds(value: str) -> dict[str, float]:
    """`runway:500, apiframe:100` -> {vendor: balance below which the admins are told}."""
    table: dict[str, float] = {}
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        vendor, _, amount = entry.partition(":")
        try:
            table[vendor.strip().lower()] = float(amount)
        except ValueError:
            raise ValueError(f"{entry!r}: expected vendor:amount, e.g. runway:500") from None
    return table


def usd(amount: float) -> str:
    """An amount of money as the reports show it: dollars and cents."""
    return f"{amount:.2f}"


async def spend_total(store: Store, since: float) -> float:
    """USD the jobs settled from `since` on cost the operator."""
    lines = await store.spend(since)
    return sum(line.usd for line in lines)
