"""Generations a vendor allows per model and UTC day (Runway's tier: `maxDailyGenerations`;
more are refused with 429 "Your daily task limit has been reached.").

The bot counts what it sends each vendor and model today, starting from what the vendor
reported as used at start (`usage.models[m].dailyGenerations`), so a restart does not hand
out the day's generations twice. A model used up at a vendor is skipped there until the
UTC day turns: its jobs go to another vendor that can do them, or wait in line for the
reset (or until VIDEO_QUEUE_TIMEOUT refunds them). Counted per process: bots sharing a
vendor account each count their own, so the vendor's 429 stays the last word, and it marks
the model used up there for the rest of the day too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

DAY = 86_400.0


class DailyCounts:
    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.day = -1
        self.sent: Counter[tuple[str, str]] = Counter()  # (vendor, model) -> sent today
        self.full: set[tuple[str, str]] = set()  # the vendor said so (429), limit known or not

    def _today(self) -> None:
        day = int(self.clock() // DAY)
        if day != self.day:
            self.day = day
            self.sent.clear()
            self.full.clear()

    def learn(self, vendor: str, used: dict[str, int]) -> None:
        """What the vendor says was used today already."""
        self._today()
        for model, count in used.items():
            self.sent[(vendor, model)] = max(self.sent[(vendor, model)], count)

    def used_up(self, vendor: str, model: str, limit: int | None) -> bool:
        if limit is None and not self.full:
            return False
        self._today()
        if (vendor, model) in self.full:
            return True
        return limit is not None and self.sent[(vendor, model)] >= limit

    def refused_for_today(self, vendor: str, model: str) -> None:
        """The vendor answered that the day's generations of `model` are used up."""
        self._today()
        self.full.add((vendor, model))

    def sent_one(self, vendor: str, model: str) -> None:
        self._today()
        self.sent[(vendor, model)] += 1

    def refused(self, vendor: str, model: str) -> None:
        """The vendor refused a job it was counted for: nothing was created there."""
        if self.sent[(vendor, model)] > 0:
            self.sent[(vendor, model)] -= 1

    def resets_at(self) -> float:
        """When the day's counts start again (the next midnight UTC)."""
        self._today()
        return (self.day + 1) * DAY
