"""One running bot per database: a second `videobot run` on the same file refuses to start.

Why: a bot that starts resumes every open job, so two bots on one database would poll each
job twice and could both hand the same video to its user; Telegram, too, lets only one
process fetch a bot's updates. The guard is an exclusive `flock` on the database file
itself, so it follows the file and not its name: a symlink or a hard link to a database a
bot holds is refused too. flock never touches the POSIX locks SQLite takes on the same
file, and the descriptor stays open until the bot has closed the store, so SQLite's locks
are never dropped by closing it. The kernel releases the lock when the process ends,
however it ends (SIGKILL included), so a crash never leaves a stale lock behind. The admin
CLI does not take it: it is meant to work beside the running bot.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from bot.storage.errors import StoreUnavailable
from bot.storage.opening import os_problem

try:
    import fcntl
except ImportError:  # Windows: no flock; the guard is skipped there
    fcntl = None  # type: ignore[assignment]


class AlreadyRunning(Exception):
    """Another bot holds the database; the message says which and what to do."""


def holder(fd: int) -> str:
    """The pid holding an flock on `fd`'s file, from /proc/locks (Linux); else "unknown"."""
    st = os.fstat(fd)
    file = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    with contextlib.suppress(OSError):
        for line in Path("/proc/locks").read_text().splitlines():
            fields = line.split()
            if "FLOCK" in fields and file in fields and "->" not in fields:
                return fields[fields.index(file) - 1]
    return "unknown"


@contextlib.contextmanager
def single_instance(database: Path) -> Iterator[None]:
    """Hold the database's instance lock until the block ends; AlreadyRunning if taken.

    Creates an empty database file when there is none (SQLite takes an empty file as a new
    database); StoreUnavailable, in one line, when the file cannot be opened at all."""
    if fcntl is None or str(database) == ":memory:":
        yield
        return
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(database, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise StoreUnavailable(f"{database}: {os_problem(database, exc)}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(
                f"another videobot is already running (pid {holder(fd)}) on {database}; stop "
                "it first, or give this one a DATABASE_URL of its own"
            ) from None
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
