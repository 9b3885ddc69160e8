"""Recent render times per vendor and model, and what they predict.

A render time is a delivered job's time from its submission to the vendor to its delivery
(the vendor's own queue, the render, the download and the upload). The newest KEEP of each
vendor and model are kept in memory and in the store, so a restart does not forget them.
With none yet, a conservative default per model: a first estimate that comes true early
disappoints nobody.
"""

from __future__ import annotations

import functools
from collections import deque

from bot.storage.render_types import RenderSample

KEEP = 50  # render times kept per vendor and model
MEDIAN, UPPER = 0.5, 0.95  # the estimate shown, and the upper end of its range
# Seconds with no history: generous for a 5 s clip, and longer for the slow model families.
DEFAULT_SECONDS = 240.0
PER_SECOND_OF_VIDEO = 24.0  # above 5 s
SLOW_MODELS = ("veo", "gen4.5", "gen4_5", "aleph")
SLOW_FACTOR = 1.5
NEAR_DONE = 0.1  # a job past its estimate is taken to need this share of it again


@functools.lru_cache(maxsize=256)
def default_seconds(model: str, duration: int) -> float:
    seconds = DEFAULT_SECONDS + PER_SECOND_OF_VIDEO * max(0, duration - 5)
    return seconds * (SLOW_FACTOR if any(s in model.lower() for s in SLOW_MODELS) else 1.0)


def quantile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class RenderHistory:
    def __init__(self) -> None:
        self.samples: dict[tuple[str, str], deque[float]] = {}
        self._sorted: dict[tuple[str, str], list[float]] = {}  # read on every estimate

    def load(self, samples: list[RenderSample]) -> None:
        for sample in samples:
            self.add(sample.vendor, sample.model, sample.seconds)

    def add(self, vendor: str, model: str, seconds: float) -> None:
        self.samples.setdefault((vendor, model), deque(maxlen=KEEP)).append(seconds)
        self._sorted.pop((vendor, model), None)

    def known(self, vendor: str, model: str) -> bool:
        return bool(self.samples.get((vendor, model)))

    def estimate(self, vendor: str, model: str, duration: int, q: float = MEDIAN) -> float:
        """Seconds from submission to delivery, at quantile `q` of the recent ones."""
        ordered = self._sorted.get((vendor, model))
        if ordered is None:
            seen = self.samples.get((vendor, model))
            if not seen:
                return default_seconds(model, duration)
            ordered = self._sorted[(vendor, model)] = sorted(seen)
        return quantile(ordered, q)


def time_left(estimate: float, elapsed: float, progress: float | None) -> float:
    """Seconds until delivery of a job at the vendor: from the rate of its progress once it
    has shown some, else what is left of its estimate (a little, when past it)."""
    if progress is not None and 0.05 <= progress < 1.0 and elapsed > 0:
        return elapsed * (1.0 - progress) / progress
    return max(estimate - elapsed, NEAR_DONE * estimate)
