"""Opening the SQLite file, where every way it can fail becomes one line for the operator.

Why: a failure after aiosqlite had started its worker thread (a corrupt file, a folder where
the file should be, a read-only folder) left that thread running, so the bot printed a
traceback and hung, and systemd never restarted it. Here the connection is closed on any
failure, which ends the thread, and the error names the file and what is wrong with it.
"""

from __future__ import annotations

import contextlib
import errno
import sqlite3
import tempfile
from pathlib import Path

import aiosqlite

from bot.storage.errors import StoreUnavailable

BUSY_WAIT_MS = 30_000  # how long a batch in aiosqlite's thread waits for another writer
HEADER = b"SQLite format 3\x00"


def writable(folder: Path) -> bool:
    """Whether a file can be created in `folder`: tried, since root passes every access check
    and a read-only mount or an immutable folder refuses root too."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def os_problem(path: Path, exc: OSError) -> str:
    """What an OSError on the database path means, for the operator."""
    if path.is_dir():
        return "is a folder, not a database file; point DATABASE_URL at a file"
    if isinstance(exc, (NotADirectoryError, FileExistsError)):
        return "a part of the path is a file, not a folder"
    folder = next((p for p in path.parents if p.is_dir()), path.parent)  # the one that exists
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) or not writable(folder):
        return f"cannot write in {folder} (read-only, or not this user's to write)"
    return exc.strerror or str(exc)


def sqlite_problem(path: Path, exc: BaseException) -> str:
    """What a failure to open or migrate the database means, for the operator."""
    if isinstance(exc, OSError):
        return os_problem(path, exc)
    text = str(exc) or type(exc).__name__
    if path.is_dir():
        return "is a folder, not a database file; point DATABASE_URL at a file"
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
        return f"{text}: the file is damaged or not a videobot database; restore a backup"
    if not writable(path.parent):
        return (
            f"{text}: cannot write in {path.parent} (read-only, or not this user's to write); "
            "SQLite keeps its -wal and -shm files beside the database"
        )
    return text


def check_length(path: Path) -> None:
    """StoreUnavailable when the file is shorter than its own header says: it was cut short
    (a full disk, a half-finished copy), and SQLite would only notice once a query reads a
    missing page, long after the bot started serving. A WAL with content may hold those
    pages, so the check is left to SQLite then."""
    wal = path.with_name(path.name + "-wal")
    with contextlib.suppress(OSError):
        if wal.stat().st_size > 0:
            return
    try:
        with path.open("rb") as file:
            header = file.read(100)
            size = file.seek(0, 2)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreUnavailable(f"{path}: {os_problem(path, exc)}") from None
    if len(header) < 100 or not header.startswith(HEADER):
        return  # empty (a new database), or not SQLite at all: SQLite says so
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if header[24:28] == header[92:96] and size < pages * page_size:  # the count is valid
        raise StoreUnavailable(
            f"{path}: truncated: {size} bytes, but its header counts {pages} pages of "
            f"{page_size} bytes; restore a backup"
        )


async def connect(path: Path) -> aiosqlite.Connection:
    """A connection to `path` set up for the store (WAL, no fsync per commit, no waiting on
    the loop's thread); StoreUnavailable, with no thread left behind, when it cannot be."""
    memory = str(path) == ":memory:"
    try:
        if not memory:
            path.parent.mkdir(parents=True, exist_ok=True)
            check_length(path)
        # Batches also run on the loop's thread (batching.py), one at a time, never two at once.
        db = await aiosqlite.connect(str(path), isolation_level=None, check_same_thread=False)
    except (OSError, sqlite3.Error) as exc:
        raise StoreUnavailable(f"{path}: {sqlite_problem(path, exc)}") from None
    try:
        await db.execute(f"PRAGMA busy_timeout={BUSY_WAIT_MS}")
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=NORMAL")
        await db.execute("PRAGMA foreign_keys=ON")
        await db.execute("PRAGMA busy_timeout=0")  # the loop's thread must never wait
        if not memory:
            await db.execute("PRAGMA wal_autocheckpoint=0")  # no fsync inside a commit
    except BaseException as exc:
        await close_quietly(db)
        raise unavailable(path, exc) from None
    return db


def unavailable(path: Path, exc: BaseException) -> BaseException:
    """`exc` as the one-line StoreUnavailable when it is a database or file problem."""
    if isinstance(exc, StoreUnavailable):
        return StoreUnavailable(f"{path}: {exc}")
    if isinstance(exc, (OSError, sqlite3.Error)):
        return StoreUnavailable(f"{path}: {sqlite_problem(path, exc)}")
    return exc


async def close_quietly(db: aiosqlite.Connection) -> None:
    """Close `db` (ending its thread) while already failing: its own error adds nothing."""
    with contextlib.suppress(Exception):
        await db.close()  # stops the thread even when closing the sqlite3 connection fails
