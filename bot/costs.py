"""What a video costs in the bot's credits: by model and length, from QUOTA_COSTS.

The operator's table (JSON) has keys of four forms, looked up in this order:

    "veo3.1:8"            a fixed price for one model at one length
    "veo3.1:per_second"   a price per second for one model
    "*:5"                 a fixed price for any model at one length
    "*:per_second"        a price per second for any model

Models the table does not price follow Runway's published credits per second (vendor-contracts
§2.9), scaled so that a 5 s gen4_turbo clip (25 Runway credits) costs 1 credit: a model costs
in proportion to what the vendor charges. A per-second price is rounded up to whole credits,
and a video costs at least 1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

PER_SECOND = "per_second"
WILDCARD = "*"

# Runway credits one bot credit stands for: a 5 s gen4_turbo clip (5 Runway credits/s).
RUNWAY_CREDITS_PER_CREDIT = 25.0

# Runway's credits per second per model family (vendor-contracts §2.9; the upper figure where
# it gives a range, e.g. Veo with audio). Matched by the longest prefix of the model name.
RUNWAY_RATES: dict[str, float] = {
    "gen3a_turbo": 5,
    "gen4_turbo": 5,
    "gen4a_turbo": 5,
    "gen4.5": 12,
    "gen4_aleph": 15,
    "aleph": 15,
    "act_two": 5,
    "veo3.1_fast": 15,
    "veo3.1": 40,
    "veo3": 40,
    # Not in Runway's reference; priced like Veo's fast tier until an invoice says otherwise.
    "magnific_video_upscaler": 15,
}
# Anything else (the local renderer, models the reference does not price): gen4_turbo's rate.
FALLBACK_RUNWAY_RATE = 5.0

_SECONDS = re.compile(r"[1-9][0-9]{0,3}")
_MODEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}|\*")


def default_rate(model: str) -> float:
    """Bot credits per second for `model` when the table does not price it."""
    prefixes = [p for p in RUNWAY_RATES if model.startswith(p)]
    runway = RUNWAY_RATES[max(prefixes, key=len)] if prefixes else FALLBACK_RUNWAY_RATE
    return runway / RUNWAY_CREDITS_PER_CREDIT


def per_second(rate: float, seconds: int) -> int:
    """`rate` credits a second for `seconds`, rounded up, at least 1. Rounded to 6 places
    first, so 0.2 x 5 is 1 and not 2 through float error."""
    return max(1, math.ceil(round(rate * seconds, 6)))


def check_table(table: Mapping[str, object]) -> dict[str, float]:
    """The table as read from QUOTA_COSTS; ValueError naming the first bad key."""
    if not isinstance(table, Mapping):
        raise ValueError('expected a JSON object such as {"*:5": 1, "veo3.1:per_second": 1.6}')
    checked: dict[str, float] = {}
    for key, value in table.items():
        model, sep, length = str(key).rpartition(":")
        if not sep or not _MODEL.fullmatch(model):
            raise ValueError(f"key {key!r}: expected MODEL:SECONDS or MODEL:per_second")
        if length != PER_SECOND and not _SECONDS.fullmatch(length):
            raise ValueError(f"key {key!r}: {length!r} is neither whole seconds nor per_second")
        if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
            raise ValueError(f"key {key!r}: the price must be a number of credits >= 0")
        if length != PER_SECOND and value != int(value):
            raise ValueError(f"key {key!r}: a fixed price is whole credits, got {value}")
        if value > 1_000_000:
            raise ValueError(f"key {key!r}: {value} credits is more than any video can cost")
        checked[str(key)] = float(value)
    return checked


def cost(table: Mapping[str, float], model: str, seconds: int) -> int:
    """Credits for a `seconds` video of `model`; see the module docstring for the order."""
    for key in (f"{model}:{seconds}", f"{model}:{PER_SECOND}", f"*:{seconds}", f"*:{PER_SECOND}"):
        if key in table:
            value = table[key]
            return per_second(value, seconds) if key.endswith(PER_SECOND) else int(value)
    return per_second(default_rate(model), seconds)
