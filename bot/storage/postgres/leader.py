"""One leader among the bot processes sharing a PostgreSQL database: whoever holds a
session-level advisory lock on a connection of its own.

Why a session lock on a dedicated connection: the lock lives exactly as long as that
session, so a leader that dies (SIGKILL included) or loses its connection frees it at once,
with no lease to expire, and a follower that asks next takes it. The pool's connections come
and go, so the lock cannot live there. Losing the connection is losing the lead: the leader
stops leading when the connection ends (asyncpg's termination listener) or stops answering
a ping, since by then another process may already hold the lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from bot.storage.postgres.connection import CONNECT_TIMEOUT, problem

log = logging.getLogger("videobot.leader")
RETRY_SECONDS = 2.0  # how often a follower asks for the lock, and a leader pings


def lock_key(scope: bytes) -> int:
    """The signed 64-bit advisory lock key for `scope`, hashed: a secret in the scope (a bot
    token, so two bots on one database never share a lock) never reaches the server."""
    return int.from_bytes(hashlib.sha256(scope).digest()[:8], "big", signed=True)


class AdvisoryLock:
    """pg_try_advisory_lock(key) on a connection of its own; `lost` is set when the
    connection, and with it the lock, is gone."""

    def __init__(self, url: str, key: int) -> None:
        self.url = url
        self.key = key
        self.lost = asyncio.Event()
        self._db: Any = None

    async def try_acquire(self) -> bool:
        """Whether this process holds the lock now (connecting first when needed).
        Connection failures raise (OSError, asyncpg errors, TimeoutError)."""
        if self._db is None or self._db.is_closed():
            self._db = await asyncpg.connect(self.url, timeout=CONNECT_TIMEOUT)
            self._db.add_termination_listener(self._ended)
            self.lost.clear()
        held = bool(await self._db.fetchval("SELECT pg_try_advisory_lock($1)", self.key))
        return held

    async def alive(self, within: float) -> bool:
        """Whether the connection still answers; a dead one is closed (so `lost` is set)."""
        if self._db is None or self._db.is_closed():
            return False
        try:
            await asyncio.wait_for(self._db.fetchval("SELECT 1"), within)
        except Exception:
            self._db.terminate()
            self.lost.set()
            return False
        return True

    async def close(self) -> None:
        """Give the lock back by ending the session (the server frees it)."""
        db, self._db = self._db, None
        if db is not None and not db.is_closed():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(db.close(), CONNECT_TIMEOUT)
            if not db.is_closed():
                db.terminate()

    def _ended(self, _db: Any) -> None:
        self.lost.set()


class Leadership:
    """Calls `lead()` when this process takes the lock and `follow()` when it loses it;
    a follower asks again every `retry` seconds.

    `start()` makes the first attempt itself, so a lone process leads before it returns."""

    def __init__(
        self,
        lock: AdvisoryLock,
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
        except Exception as exc:
            log.warning("cannot ask for the lead (%s): %s", self.what, problem(exc, self.lock.url))
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
                await self._follow()
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
