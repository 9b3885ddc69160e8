"""At most one engine wake per (vendor, task) per interval, however many callbacks arrive.

Why: the callback URL is public, and each wake costs a vendor poll. A flood of forged
callbacks for a live task must not turn into a flood of polls. A callback that arrives
within the interval is not lost, though: it schedules one trailing wake at the interval's
end, so a task that finishes right after its previous callback is still polled promptly.

Memory stays bounded: only tasks a job is polling are remembered (a wake for an unknown
task returns False and leaves no trace), and at most `limit` of them, oldest out first.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable

Key = tuple[str, str]


class WakeLimiter:
    def __init__(
        self,
        wake: Callable[[str, str], bool],
        interval: float = 2.0,
        limit: int = 20_000,  # twice the most jobs in flight benchmarked (README)
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._wake = wake
        self.interval = interval
        self.limit = limit
        self.clock = clock
        self.woken = 0  # wakes that found a job polling the task
        self._last: OrderedDict[Key, float] = OrderedDict()
        self._pending: dict[Key, asyncio.TimerHandle] = {}

    def wake(self, vendor_id: str, task_id: str) -> None:
        """Wake the task now, or once when its interval ends if it was woken recently."""
        key = (vendor_id, task_id)
        now = self.clock()
        last = self._last.get(key)
        if last is None or now - last >= self.interval:
            self._fire(key)
        elif key not in self._pending:
            loop = asyncio.get_running_loop()
            self._pending[key] = loop.call_later(last + self.interval - now, self._fire, key)

    def close(self) -> None:
        for handle in self._pending.values():
            handle.cancel()
        self._pending.clear()

    def _fire(self, key: Key) -> None:
        self._pending.pop(key, None)
        if not self._wake(*key):
            self._last.pop(key, None)  # no job polls it (now): nothing to remember
            return
        self.woken += 1
        self._last[key] = self.clock()
        self._last.move_to_end(key)
        while len(self._last) > self.limit:
            old, _ = self._last.popitem(last=False)
            handle = self._pending.pop(old, None)
            if handle is not None:
                handle.cancel()
