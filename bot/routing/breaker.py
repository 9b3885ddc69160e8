"""A circuit breaker per vendor, so requests stop going to a vendor that keeps failing.

- Closed: creates go through. VIDEO_BREAKER_FAILURES failed creates in a row (errors that
  may pass, an outage) open it.
- Open: the vendor is skipped for VIDEO_BREAKER_COOLDOWN seconds; then one job is let
  through as a probe (half-open). Its success closes the breaker, its failure opens it again.
- Held: the vendor refused for want of credits or a valid key. Waiting will not help, so it
  stays skipped until an operator acts (`videobot vendor-reset`, or a top-up: the bot checks
  the vendor's balance each cool-down); the admins are told once.

Opening, closing and holding are kept in the store too (bot/jobs/vendor_health.py writes
this process's changes and takes in the others' every few seconds), so a restart forgets
no open or held breaker and every process on one database skips the same vendors. The count
of failures in a row and the probe in flight stay this process's own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot.storage.breaker_types import BreakerState

log = logging.getLogger("videobot.routing")


@dataclass(slots=True)
class Health:
    failures: int = 0  # failed creates in a row
    open_until: float = 0.0  # 0: closed; else skipped until then, then probed
    probing: bool = False  # a probe job is on its way
    held: str | None = None  # why an operator must act first
    told: bool = False  # the admins heard about the hold
    changed_at: float = 0.0  # when open_until or held last changed, here or in the store


class Breakers:
    """The health of every vendor, in this process (a restart starts them closed)."""

    def __init__(self, failures: int, cooldown: float, clock: Callable[[], float]) -> None:
        self.threshold = failures
        self.cooldown = cooldown
        self.clock = clock
        self.health: dict[str, Health] = {}
        self.unsaved: dict[str, tuple[float, float]] = {}  # vendor -> (open_until, changed_at)

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
            self._changed(vendor, h, 0.0)
        h.failures, h.probing = 0, False
        return reopened

    def failed(self, vendor: str) -> None:
        """A create failed in a way that may pass; enough in a row open the breaker."""
        h = self._of(vendor)
        h.failures += 1
        if h.probing or h.failures >= self.threshold:
            self._changed(vendor, h, self.clock() + self.cooldown)
            h.probing = False
            log.warning(
                "vendor %s: %d failed create(s) in a row; skipped for %.0fs, then probed",
                vendor, h.failures, self.cooldown,
            )  # fmt: skip

    def hold(self, vendor: str, reason: str) -> bool:
        """Skip `vendor` until an operator acts; True the first time (tell the admins)."""
        h = self._of(vendor)
        h.held, h.probing, h.changed_at = reason, False, self.clock()
        first = not h.told
        h.told = True
        return first

    def held(self) -> list[str]:
        return [vendor for vendor, h in self.health.items() if h.held is not None]

    def release(self, vendor: str) -> None:
        """The operator acted: the vendor is tried again."""
        log.info("vendor %s: held no more; trying it again", vendor)
        self.health[vendor] = Health(changed_at=self.clock())
        self.unsaved.pop(vendor, None)

    def _changed(self, vendor: str, h: Health, open_until: float) -> None:
        h.open_until, h.changed_at = open_until, self.clock()
        self.unsaved[vendor] = (open_until, h.changed_at)

    def saved(self, vendor: str, change: tuple[float, float]) -> None:
        """`change` is in the store now (unless a newer one came meanwhile)."""
        if self.unsaved.get(vendor) == change:
            del self.unsaved[vendor]

    def adopt(self, states: list[BreakerState]) -> bool:
        """Take in the stored breakers changed since this process last changed its own
        (by another process, or an operator); True when one opened, closed or was held or
        released here, so the queue looks at its line again."""
        moved = False
        for s in states:
            h = self._of(s.vendor)
            if s.changed_at <= h.changed_at or s.vendor in self.unsaved:
                continue
            if (h.held, h.open_until) != (s.held, s.open_until):
                moved = True
                if h.held is not None and s.held is None:
                    log.info("vendor %s: held no more; trying it again", s.vendor)
            if s.held is None and (h.held is not None or s.open_until == 0.0):
                h.failures = 0  # released, or closed by another process's probe
            h.held, h.open_until, h.changed_at, h.probing = (
                s.held, s.open_until, s.changed_at, False,
            )  # fmt: skip
            h.told = s.held is not None  # a stored hold was told where it was made
        return moved
