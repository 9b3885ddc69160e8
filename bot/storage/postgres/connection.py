"""The PostgreSQL store's connections: a pool of them, transactions retried when PostgreSQL
asks for it, and a database failure as StoreUnavailable naming the database, never its
password.

Why a pool: SQLite has one writer, so the SQLite store queues every call into batches on
one connection; PostgreSQL takes concurrent transactions and locks rows, so each call takes
a pooled connection for its own transaction, and concurrent money transactions of one user
queue on that user's row lock (see money.py) rather than in the process, which keeps them
correct across processes as well. Only the two calls of every `/video`, reserve and
balance, are batched here too (intake.py), each batch in one transaction of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import asyncpg

from bot.storage.errors import StoreUnavailable, display_url

T = TypeVar("T")
POOL_SIZE = 10  # connections per process: managed servers often allow ~100 in all
CONNECT_TIMEOUT = 10.0  # seconds to reach the server (also for each pooled connection)
RETRIES = 8  # a transaction PostgreSQL rolled back (serialization failure, deadlock)

# A statement the caller got wrong (a broken constraint, bad SQL, a bad value) is a bug,
# not an unavailable database: raised as it is.
CALLER_ERRORS = (
    asyncpg.IntegrityConstraintViolationError,
    asyncpg.DataError,
    asyncpg.exceptions.SyntaxOrAccessError,
)
RETRYABLE = (asyncpg.SerializationError, asyncpg.DeadlockDetectedError)
# What makes the database unavailable: the server, the network or a broken connection.
UNAVAILABLE = (
    asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, OSError,
    TimeoutError,
)  # fmt: skip


def problem(exc: BaseException, url: str) -> str:
    """What a driver or network failure means, in one line without the password."""
    if isinstance(exc, asyncio.TimeoutError):
        return "timed out reaching the server"
    text = " ".join(str(exc).split()) or type(exc).__name__
    password = urlsplit(url).password
    if password:
        text = text.replace(password, "***")
    if isinstance(exc, OSError) and "Connect call failed" in text:
        return f"cannot connect ({text}); is PostgreSQL running there?"
    return text


def unavailable(exc: BaseException, url: str) -> BaseException:
    """`exc` as the one-line StoreUnavailable, unless it is the caller's own mistake."""
    if isinstance(exc, StoreUnavailable):  # raised by the store itself: name the database
        return StoreUnavailable(f"{display_url(url)}: {exc}")
    if isinstance(exc, CALLER_ERRORS) or not isinstance(exc, UNAVAILABLE):
        return exc
    return StoreUnavailable(f"{display_url(url)}: {problem(exc, url)}")


async def create_pool(url: str, size: int = POOL_SIZE) -> Any:
    """A pool of connections to `url`; StoreUnavailable when the server cannot be used."""
    try:
        return await asyncpg.create_pool(
            url, min_size=1, max_size=size, timeout=CONNECT_TIMEOUT, command_timeout=None
        )
    except (ValueError, TypeError) as exc:  # asyncpg's reading of the URL refused it
        raise StoreUnavailable(f"{display_url(url)}: malformed: {problem(exc, url)}") from None
    except Exception as exc:
        raise unavailable(exc, url) from None


class PgBase:
    """Runs the store's statements on pooled connections (see the module's doc)."""

    def __init__(self, pool: Any, url: str) -> None:
        self.pool = pool
        self.url = url

    def failure(self, exc: BaseException) -> BaseException:
        return unavailable(exc, self.url)

    async def _transaction(self, work: Callable[[Any], Awaitable[T]]) -> T:
        """Run `work(connection)` in one transaction, again when PostgreSQL rolled it back
        for a conflict with another (it then had no effect)."""

        async def transaction(db: Any) -> T:
            async with db.transaction():
                return await work(db)

        for attempt in range(RETRIES):
            try:
                return await self._on_connection(transaction)
            except RETRYABLE as exc:
                if attempt == RETRIES - 1:
                    raise self.failure(exc) from None
                await asyncio.sleep(0.01 * (attempt + 1))
            except Exception as exc:
                raise self.failure(exc) from None
        raise AssertionError("unreachable")

    async def _on_connection(self, work: Callable[[Any], Awaitable[T]]) -> T:
        """`work(connection)` on a pooled connection (one the server ended is replaced by
        the pool once it is given back: its call fails, the next one does not)."""
        async with self.pool.acquire() as db:
            return await work(db)

    async def _run(self, work: Callable[[Any], Awaitable[T]]) -> T:
        """Run `work(connection)` as it is: one statement, or reads that need no snapshot."""
        try:
            return await self._on_connection(work)
        except Exception as exc:
            raise self.failure(exc) from None

    async def _execute(self, sql: str, *args: Any) -> int:
        """One write statement; returns the rows it changed."""
        status: str = await self._run(lambda db: db.execute(sql, *args))
        return int(status.rsplit(" ", 1)[-1]) if status[-1:].isdigit() else 0

    async def _fetch(self, sql: str, *args: Any) -> list[Any]:
        rows: list[Any] = await self._run(lambda db: db.fetch(sql, *args))
        return rows

    async def _fetchrow(self, sql: str, *args: Any) -> Any:
        return await self._run(lambda db: db.fetchrow(sql, *args))
