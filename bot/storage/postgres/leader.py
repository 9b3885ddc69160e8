"""The lock behind `bot.storage.leadership` on PostgreSQL: a session-level advisory lock
on a connection of its own.

Why a session lock on a dedicated connection: the lock lives exactly as long as that
session, so a leader that dies (SIGKILL included) or loses its connection frees it at once,
with no lease to expire, and a follower that asks next takes it. The pool's connections come
and go, so the lock cannot live there. Losing the connection is losing the lock: `lost` is
set when the connection ends (asyncpg's termination listener) or stops answering a ping,
since by then another process may already hold it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from typing import Any

import asyncpg

from bot.storage.postgres.connection import CONNECT_TIMEOUT, unavailable

# The server's TCP keepalives on the lock's session: a leader cut off by the network (no
# FIN ever reaches the server) loses the lock in about 10 + 3 * 5 s, not the system's
# default two hours, so a follower can take over. The leader itself stops leading sooner,
# at its first ping without an answer.
# Set after connecting, and skipped where refused: a pooler in front may reject them as
# startup parameters.
KEEPALIVE = (
    "SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3"
)


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
        """Whether this process holds the lock now (connecting first when needed);
        StoreUnavailable when the database cannot be reached."""
        try:
            if self._db is None or self._db.is_closed():
                self._db = await asyncpg.connect(self.url, timeout=CONNECT_TIMEOUT)
                self._db.add_termination_listener(self._ended)
                with contextlib.suppress(asyncpg.PostgresError):
                    await self._db.execute(KEEPALIVE)
                self.lost.clear()
            return bool(await self._db.fetchval("SELECT pg_try_advisory_lock($1)", self.key))
        except Exception as exc:
            raise unavailable(exc, self.url) from None

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
