"""Which vendor a waiting job goes to (VIDEO_ROUTING).

- `order` (the default): the first healthy vendor in the job's list, as before the queue;
  when it is full the job waits for it rather than spilling over to a vendor the operator
  listed as a fallback.
- `fastest`: the healthy vendor with the lowest recent render time, counting the wait for
  a slot when it is full (its render time times the jobs per slot ahead).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Candidate:
    vendor: str
    busy: int  # tasks in its pool now
    limit: int  # its pool's capacity
    seconds: float  # recent render time of the model there

    @property
    def has_room(self) -> bool:
        return self.busy < self.limit

    @property
    def expected(self) -> float:
        """Seconds to delivery if sent there: the render, after a slot's wait when full."""
        return self.seconds * max(1.0, (self.busy + 1) / self.limit)


def choose(healthy: list[Candidate], routing: str) -> Candidate | None:
    """The vendor for the job among the healthy ones that can do it (in its order)."""
    if not healthy:
        return None
    if routing == "fastest":
        return min(healthy, key=lambda c: c.expected)
    return healthy[0]
