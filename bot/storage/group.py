"""Group commit: calls made while a batch runs are run together as the next batch, in the
order they were made (the PostgreSQL store's reserves and balances; the SQLite store's
`Batcher` runs every call so, on its one connection).

Why: a call on its own is a few round trips to the server and, for a write, a commit that
waits for the WAL to reach the disk; a batch costs about as much whatever its size. Under
load batches grow by themselves (a call waits at most for the batch before its own), so the
server's work per call falls as the calls come faster; with few calls a batch is one call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

I = TypeVar("I")  # noqa: E741 - what a call asks for
R = TypeVar("R")  # what it gets back

MAX_BATCH = 500  # calls per batch: bounds a batch's time, and the locks a write batch holds


@dataclass(slots=True)
class Call(Generic[I, R]):
    """A call waiting for its batch."""

    item: I
    future: asyncio.Future[R]


class Group(Generic[I, R]):
    """Runs calls in batches, `at_once` batches at a time at most; `run` takes a batch's
    items and returns each one's result, or the exception that call raises. More than one
    at a time keeps the calls moving while a batch waits for the server (a busy machine
    makes each of its round trips wait for a core)."""

    def __init__(
        self,
        run: Callable[[list[I]], Awaitable[list[R | BaseException]]],
        name: str,
        at_once: int = 1,
    ) -> None:
        self.run = run
        self.name = name
        self.at_once = at_once  # batches running at the same time, at most
        self._queue: list[Call[I, R]] = []
        self._drainers: set[asyncio.Task[None]] = set()

    async def __call__(self, item: I) -> R:
        """Queue `item` for the next batch and wait for that batch's result."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append(Call(item, future))
        # (a drainer that has just found the queue empty is done, its callback still due)
        if sum(not d.done() for d in self._drainers) < self.at_once:
            drainer = asyncio.create_task(self._drain(), name=self.name)
            self._drainers.add(drainer)
            drainer.add_done_callback(self._drainers.discard)
        return await future

    async def _drain(self) -> None:
        batch: list[Call[I, R]] = []
        try:
            while self._queue:
                await asyncio.sleep(0)  # let this tick's callers queue up too
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                batch = [c for c in batch if not c.future.done()]  # not its cancelled callers
                if not batch:
                    continue
                results = await self.run([c.item for c in batch])
                resolve(
                    [c.future for c in batch],
                    [(not isinstance(r, BaseException), r) for r in results],
                )
        except asyncio.CancelledError:  # the loop is shutting down
            cancel(c.future for c in batch + self._queue)
            raise


def resolve(futures: Sequence[asyncio.Future[Any]], results: Sequence[tuple[bool, Any]]) -> None:
    """Give each waiting caller its result: (True, value) or (False, the exception to raise).
    A caller that was cancelled meanwhile gets nothing."""
    for future, (ok, value) in zip(futures, results, strict=True):
        if future.done():
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)


def cancel(futures: Iterable[asyncio.Future[Any]]) -> None:
    """Cancel the callers still waiting (the loop is shutting down)."""
    for future in futures:
        future.cancel()
