"""One leader among the bot processes sharing a database, for work only one of them may
do at a time (Telegram's long polling): `leadership(...)` calls `lead()` when this process
takes the lead and `follow()` when it loses it, and a follower asks again every ~2 s, so
another process leads within seconds of the leader dying.

On PostgreSQL the lead is a session-level advisory lock (postgres/leader.py); on SQLite
there is only one process, so there is nothing to elect (`leadership` returns None).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.storage.errors import POSTGRES_SCHEMES

log = logging.getLogger("videobot.leader")
RETRY_SECONDS = 2.0  # how often a follower asks for the lead, and a leader pings its lock


class Lock(Protocol):
    lost: asyncio.Event  # set once the lock is gone (its connection ended)

    async def try_acquire(self) -> bool: ...
    async def alive(self, within: float) -> bool: ...
    async def close(self) -> None: ...


def leadership(
    database_url: str,
    scope: bytes,
    *,
    lead: Callable[[], Awaitable[None]],
    follow: Callable[[], Awaitable[None]],
    what: str,
) -> Leadership | None:
    """The election for `scope` among the processes on `database_url` (the scope is hashed
    into the lock's key, so a secret in it never reaches the server); None on SQLite."""
    if not database_url.startswith(POSTGRES_SCHEMES):
        return None
    from bot.storage.postgres.leader import AdvisoryLock, lock_key

    lock = AdvisoryLock(database_url, lock_key(scope))
    return Leadership(lock, lead=lead, follow=follow, what=what)


class Leadership:
    """Calls `lead()` when this process takes the lock and `follow()` when it loses it;
    a follower asks again every `retry` seconds.

    `start()` makes the first attempt itself, so a lone process leads before it returns."""

    def __init__(
        self,
        lock: Lock,
        *,
        lead: Callable[[], Awaitable[None]],
        follow: Callable[[], Awaitable[None]],
        what: str,
        retry: float = RETRY_SECONDS,
    ) -> None:
        self.lock = lock
        self._lead = lead
        self._follow = follow
        self.what = what  # for the log: what the leader does
        self.retry = retry
        self.leading = False
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._attempt()
        self._task = asyncio.create_task(self._run(), name=f"leader: {self.what}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self.leading:
            self.leading = False
            await self._follow()
        await self.lock.close()

    async def _attempt(self) -> None:
        try:
            held = await self.lock.try_acquire()
        except Exception as exc:  # StoreUnavailable: ask again later
            log.warning("cannot ask for the lead (%s): %s", self.what, exc)
            return
        if not held:
            return
        self.leading = True
        log.info("this process leads: %s", self.what)
        try:
            await self._lead()
        except Exception:
            log.exception("could not start leading (%s); giving the lead back", self.what)
            self.leading = False
            await self.lock.close()

    async def _run(self) -> None:
        while True:
            if self.leading:
                await self._hold()
                self.leading = False
                log.warning("lost the lead (database connection gone): %s stops", self.what)
                try:
                    await self._follow()
                except Exception:  # the loop must go on: it is how the lead comes back
                    log.exception("stopping %s failed", self.what)
            await asyncio.sleep(self.retry)
            await self._attempt()

    async def _hold(self) -> None:
        """Return once the lock's connection is gone: ended, or silent for a ping."""
        while not self.lock.lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.lock.lost.wait(), self.retry)
            if not self.lock.lost.is_set() and not await self.lock.alive(self.retry):
                return
        await self.lock.close()
