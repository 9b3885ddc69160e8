"""A circuit breaker per vendor, so requests stop going to a vendor that keeps failing.

- Closed: creates go through. VIDEO_BREAKER_FAILURES failed creates in a row (errors that
  may pass, an outage) open it.
- Open: the vendor is skipped for VIDEO_BREAKER_COOLDOWN seconds; then one job is let
  through as a probe (half-open). Its success closes the breaker, its failure opens it again.
- Held: the vendor refused for want of credits or a valid key. Waiting will not help, so it
  stays skipped until an operator acts (tops up: the bot checks the vendor's balance each
  cool-down; or restarts the bot); the admins are told once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("videobot.routing")


@dataclass(slots=True)
class Health:
    failures: int = 0  # failed creates in a row
    open_until: float = 0.0  # 0: closed; else skipped until then, then probed
    probing: bool = False  # a probe job is on its way
    held: str | None = None  # why an operator must act first
    told: bool = False  # the admins heard about the hold


class Breakers:
    """The health of every vendor, in this process (a restart starts them closed)."""

    def __init__(self, failures: int, cooldown: float, clock: Callable[[], float]) -> None:
        self.threshold = failures
        self.cooldown = cooldown
        self.clock = clock
        self.health: dict[str, Health] = {}

    def _of(self, vendor: str) -> Health:
        return self.health.setdefault(vendor, Health())

    def allows(self, vendor: str) -> bool:
        """Whether a job may be sent to `vendor` now."""
        h = self.health.get(vendor)
        if h is None or (h.open_until == 0.0 and h.held is None):
            return True
        if h.held is not None or self.clock() < h.open_until:
            return False
        return not h.probing  # half-open: one probe at a time

    def state(self, vendor: str) -> str:
        """closed | open | half-open | held, for logs and tests."""
        h = self.health.get(vendor)
        if h is None or (h.open_until == 0.0 and h.held is None):
            return "closed"
        if h.held is not None:
            return "held"
        return "open" if self.clock() < h.open_until else "half-open"

    def dispatched(self, vendor: str) -> bool:
        """A job is sent to `vendor`; True when it goes as the probe of a half-open one."""
        h = self._of(vendor)
        if h.open_until and self.clock() >= h.open_until and h.held is None:
            h.probing = True
            return True
        return False

    def abandoned(self, vendor: str) -> None:
        """A probe job ended without a create (cancelled, timed out): probe with another."""
        self._of(vendor).probing = False

    def succeeded(self, vendor: str) -> bool:
        """A create went through; True when that closed an open breaker."""
        h = self._of(vendor)
        reopened = bool(h.open_until)
        if reopened:
            log.info("vendor %s answers again; its breaker is closed", vendor)
        h.failures, h.open_until, h.probing = 0, 0.0, False
        return reopened

    def failed(self, vendor: str) -> None:
        """A create failed in a way that may pass; enough in a row open the breaker."""
        h = self._of(vendor)
        h.failures += 1
        if h.probing or h.failures >= self.threshold:
            h.open_until, h.probing = self.clock() + self.cooldown, False
            log.warning(
                "vendor %s: %d failed create(s) in a row; skipped for %.0fs, then probed",
                vendor, h.failures, self.cooldown,
            )  # fmt: skip

    def hold(self, vendor: str, reason: str) -> bool:
        """Skip `vendor` until an operator acts; True the first time (tell the admins)."""
        h = self._of(vendor)
        h.held, h.probing = reason, False
        first = not h.told
        h.told = True
        return first

    def held(self) -> list[str]:
        return [vendor for vendor, h in self.health.items() if h.held is not None]

    def release(self, vendor: str) -> None:
        """The operator acted: the vendor is tried again."""
        log.info("vendor %s: held no more; trying it again", vendor)
        self.health[vendor] = Health()
