"""The SQLite store commits on the event loop's thread, so the WAL checkpoint (the one step
that fsyncs) must not run inside those commits: it runs in a worker thread instead, on a
real database file, and nothing written is lost on the way."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.models import UserRef
from bot.storage import checkpoint
from bot.storage.sqlite import SqliteStore
from tests.helpers import wait_until


async def test_checkpoints_run_in_a_worker_thread_and_keep_every_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoint, "CHECKPOINT_SECONDS", 0.05)
    threads: list[threading.Thread] = []
    original = checkpoint.Checkpointer._checkpoint

    def spy(self: checkpoint.Checkpointer) -> None:
        threads.append(threading.current_thread())
        original(self)

    monkeypatch.setattr(checkpoint.Checkpointer, "_checkpoint", spy)
    path = tmp_path / "videobot.db"
    store = await SqliteStore.open(path)
    try:
        assert store.checkpointer is not None
        (auto,) = await store._one("PRAGMA wal_autocheckpoint")
        assert auto == 0  # no checkpoint, and so no fsync, inside a commit on the loop's thread

        before = path.stat().st_size
        for n in range(1500):  # past 1,000 WAL pages, where SQLite would checkpoint by itself
            await store.grant(UserRef("telegram", str(n)), 1, float(n), note="x" * 2000)
        # Only a checkpoint moves pages from the WAL into the database file.
        await wait_until(lambda: path.stat().st_size > before + 1_000_000)
        assert threads and all(t is not threading.main_thread() for t in threads)
    finally:
        await store.close()

    with sqlite3.connect(path) as db:
        (users,) = db.execute("SELECT COUNT(*) FROM users").fetchone()
        (grants,) = db.execute("SELECT COUNT(*) FROM ledger WHERE kind = 'grant'").fetchone()
    assert users == grants == 1500


async def test_an_idle_store_does_not_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoint, "CHECKPOINT_SECONDS", 0.01)
    store = await SqliteStore.open(tmp_path / "videobot.db")
    assert store.checkpointer is not None
    try:
        await wait_until(lambda: store.checkpointer is not None and store.checkpointer.done == 1)
        await asyncio.sleep(0.1)  # ten more ticks with nothing written
        assert store.checkpointer.done == 1  # only the migrations were checkpointed
    finally:
        await store.close()


async def test_a_checkpoint_never_recreates_a_deleted_database(tmp_path: Path) -> None:
    """Deleted under the bot, the file must stay gone, so that the store's watch reports it
    deleted (and the bot stops) rather than a new empty file in its place."""
    path = tmp_path / "videobot.db"
    store = await SqliteStore.open(path)
    try:
        await store.grant(UserRef("telegram", "1"), 1, 1.0)
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        fresh = checkpoint.Checkpointer(path)  # connects at its first checkpoint
        with pytest.raises(sqlite3.Error):
            await asyncio.to_thread(fresh._checkpoint)
        assert not path.exists()
        assert store.unavailable() == (
            f"{path}: deleted while the bot was running; restore it from a backup"
        )
    finally:
        await store.close()
