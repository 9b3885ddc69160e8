"""The seed of every job is known: the user's, or one picked here before any vendor is called.

A vendor that picks its own seed cannot tell us which, so a result could never be repeated.
Picking it here means the caption, the status and /jobs can show it, and `--seed N`
reproduces the video.
"""

from __future__ import annotations

import random
from typing import TypeVar

from bot.vendors.base import ModelSpec

T = TypeVar("T")


def settle_seed(
    seed: int | None, accepted: list[tuple[T, ModelSpec]]
) -> tuple[int, list[tuple[T, ModelSpec]]]:
    """(the seed, the vendors that take it): a picked seed fits every accepted model's range.

    Should those ranges not overlap, the first (preferred) model's range wins and the vendors
    that cannot take the seed drop out, so a failover never sends a different seed.
    """
    if seed is None:
        low = max(spec.seed_min for _, spec in accepted)
        high = min(spec.seed_max for _, spec in accepted)
        if low > high:
            low, high = accepted[0][1].seed_min, accepted[0][1].seed_max
        seed = random.randint(low, high)
    return seed, [(v, s) for v, s in accepted if s.seed_min <= seed <= s.seed_max]


def seed_text(seed: object) -> str:
    """A stored seed as shown to users (jobs made before seeds were always picked have none)."""
    return "—" if seed is None else str(seed)
