"""What the store keeps of each vendor's circuit breaker (bot/routing/breaker.py), and the
part of the `Store` interface that reads and writes it: an open breaker and a vendor held
for an operator outlive a restart, and every process on one database sees the same."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class BreakerState:
    vendor: str
    open_until: float  # 0: closed; else skipped until then, then probed
    held: str | None  # why an operator must act first; None: not held
    changed_at: float  # when it last changed, so the newer of two views wins


class BreakerStore(Protocol):
    async def breaker_states(self) -> list[BreakerState]:
        """Every vendor's stored breaker, by vendor."""
        ...

    async def set_breaker_open(self, vendor: str, until: float, now: float) -> None:
        """Open `vendor`'s breaker until `until` (0: close it), unless a newer change to
        it is stored; a hold is left as it is."""
        ...

    async def hold_vendor(self, vendor: str, reason: str, now: float) -> bool:
        """Hold `vendor` until an operator acts; True only for the one call (of every
        process) that held it, so the admins are told once."""
        ...

    async def release_vendor(self, vendor: str, now: float) -> bool:
        """The operator acted: close `vendor`'s breaker and lift its hold; True when it
        was open or held."""
        ...
