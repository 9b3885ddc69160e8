"""WAL checkpoints in a worker thread, on a connection of their own.

Why: the store commits on the event loop's thread (see batching.py). SQLite's automatic
checkpoint runs inside whichever commit crosses 1,000 WAL pages and fsyncs the database
there: up to 8 ms on this project's machine, far longer on a small server's disk, and all
of it a stalled event loop. With the automatic one turned off, this copies the WAL into the
database every few seconds from a worker thread. A PASSIVE checkpoint waits for no reader
or writer, so the store's commits never wait for it either.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path

log = logging.getLogger("videobot.storage")

CHECKPOINT_SECONDS = 2.0


class Checkpointer:
    """Checkpoints `path` every `every` seconds while anything was written."""

    def __init__(self, path: Path, every: float | None = None) -> None:
        self.path = path
        self.every = CHECKPOINT_SECONDS if every is None else every
        self.dirty = False  # set by the store after each batch
        self.done = 0  # checkpoints run
        self.last: tuple[int, int, int] | None = None  # (busy, WAL frames, frames copied)
        self._db: sqlite3.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._running: asyncio.Future[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="sqlite-checkpoints")

    async def close(self) -> None:
        """Stop; a checkpoint in progress finishes first (its thread cannot be stopped)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._running is not None:
            await asyncio.gather(self._running, return_exceptions=True)
        if self._db is not None:
            await asyncio.to_thread(self._db.close)
            self._db = None

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            if not self.dirty:
                continue
            self.dirty = False
            self._running = asyncio.ensure_future(asyncio.to_thread(self._checkpoint))
            try:
                await asyncio.shield(self._running)
            except sqlite3.Error as exc:
                self.dirty = True  # try again next time
                log.warning("WAL checkpoint failed: %s", exc)
                continue
            if self.last is not None and (self.last[0] or self.last[2] < self.last[1]):
                self.dirty = True  # busy, or a reader held some frames back: again next time

    def _checkpoint(self) -> None:
        if self._db is None:  # mode=rw: a database deleted under the bot is not made anew
            uri = f"{self.path.absolute().as_uri()}?mode=rw"
            self._db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA busy_timeout = 1000")
        (row,) = self._db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        self.last = (int(row[0]), int(row[1]), int(row[2]))
        self.done += 1
