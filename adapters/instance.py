"""One running bot per database: a second `videobot run` on the same file refuses to start.

Why: a bot that starts resumes every open job, so two bots on one database would poll each
job twice and could both hand the same video to its user; Telegram, too, lets only one
process fetch a bot's updates. The guard is an exclusive `flock` on a file beside the
database. The kernel drops it when the process ends, however it ends (SIGKILL included), so
a crash never leaves a stale lock behind. The admin CLI does not take it: it is meant to work
beside the running bot.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock; the guard is skipped there
    fcntl = None  # type: ignore[assignment]


class AlreadyRunning(Exception):
    """Another bot holds the database; the message says which and what to do."""


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


@contextlib.contextmanager
def single_instance(database: Path) -> Iterator[None]:
    """Hold the database's instance lock until the block ends; AlreadyRunning if taken."""
    if fcntl is None or str(database) == ":memory:":
        yield
        return
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise AlreadyRunning(
                f"another videobot (pid {holder}) is already running on {database}; stop it "
                "first, or give this one a DATABASE_URL of its own"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
