"""The batching executor alone, on a real SQLite file: calls queued together run in order as
one transaction, a failing call fails alone, and a database held by another connection is
waited for in aiosqlite's thread rather than on the event loop's."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest

from bot.storage import batching
from bot.storage.batching import Batcher, Kind
from bot.storage.opening import connect


@pytest.fixture
async def batcher(tmp_path: Path) -> AsyncIterator[Batcher]:
    db = await connect(tmp_path / "batch.db")
    await db.execute("CREATE TABLE t (n INTEGER PRIMARY KEY, v TEXT NOT NULL)")
    runner = Batcher(db)
    statements: list[str] = []
    db._conn.set_trace_callback(statements.append)
    runner.statements = statements  # type: ignore[attr-defined]
    yield runner  # type: ignore[misc]
    await runner._finish()
    await db.close()


def _transactions(statements: list[str]) -> list[str]:
    return [s for s in statements if s in ("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK")]


async def test_calls_queued_together_commit_as_one_transaction_in_order(
    batcher: Batcher,
) -> None:
    statements: list[str] = batcher.statements  # type: ignore[attr-defined]
    calls = [batcher._write("INSERT INTO t (n, v) VALUES (?, ?)", (n, str(n))) for n in range(50)]
    counted = batcher._one("SELECT COUNT(*) FROM t")  # queued last: sees all 50 before it
    *changed, (count,) = await asyncio.gather(*calls, counted)
    assert changed == [1] * 50 and count == 50
    assert _transactions(statements) == ["BEGIN IMMEDIATE", "COMMIT"]
    inserts = [s for s in statements if s.startswith("INSERT")]
    assert inserts == [f"INSERT INTO t (n, v) VALUES ({n}, '{n}')" for n in range(50)]


async def test_reads_alone_take_no_write_lock(batcher: Batcher) -> None:
    statements: list[str] = batcher.statements  # type: ignore[attr-defined]
    assert await asyncio.gather(batcher._one("SELECT 1"), batcher._all("SELECT 2")) == [
        (1,),
        [(2,)],
    ]
    assert _transactions(statements) == []


async def test_a_failing_call_fails_alone(batcher: Batcher) -> None:
    def half_then_fail(db: sqlite3.Connection) -> None:
        db.execute("INSERT INTO t (n, v) VALUES (2, 'two')")
        raise ValueError("refused")  # the savepoint undoes the insert above

    results = await asyncio.gather(
        batcher._write("INSERT INTO t (n, v) VALUES (1, 'one')"),
        batcher._transaction(half_then_fail),
        batcher._write("INSERT INTO t (n, v) VALUES (1, 'again')"),  # a constraint fails
        batcher._write("INSERT INTO t (n, v) VALUES (3, 'three')"),
        return_exceptions=True,
    )
    assert results[0] == 1 and results[3] == 1
    assert isinstance(results[1], ValueError)
    assert isinstance(results[2], sqlite3.IntegrityError)
    assert await batcher._all("SELECT n, v FROM t ORDER BY n") == [(1, "one"), (3, "three")]
    statements: list[str] = batcher.statements  # type: ignore[attr-defined]
    assert _transactions(statements).count("COMMIT") == 1  # the others' work kept


async def test_a_long_queue_is_split_into_batches_of_at_most_max_batch(
    batcher: Batcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batching, "MAX_BATCH", 10)
    statements: list[str] = batcher.statements  # type: ignore[attr-defined]
    await asyncio.gather(
        *(batcher._write("INSERT INTO t (n, v) VALUES (?, 'x')", (n,)) for n in range(25))
    )
    assert _transactions(statements) == ["BEGIN IMMEDIATE", "COMMIT"] * 3
    assert [n for (n,) in await batcher._all("SELECT n FROM t ORDER BY rowid")] == list(range(25))


async def test_a_busy_database_is_waited_for_in_a_worker_thread(
    batcher: Batcher, tmp_path: Path
) -> None:
    threads: list[threading.Thread] = []

    def insert(db: sqlite3.Connection) -> int:
        threads.append(threading.current_thread())
        return db.execute("INSERT INTO t (n, v) VALUES (7, 'seven')").rowcount

    with closing(sqlite3.connect(tmp_path / "batch.db", isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")  # another process writing
        pending = asyncio.ensure_future(batcher._transaction(insert))
        await asyncio.sleep(0.3)
        assert not pending.done()  # waiting, while the loop runs on
        other.execute("COMMIT")
        assert await asyncio.wait_for(pending, 30) == 1
    # BEGIN IMMEDIATE found it busy on the loop's thread; the work ran once, where it may wait
    assert len(threads) == 1 and threads[0] is not threading.main_thread()
    assert await batcher._all("SELECT n FROM t") == [(7,)]


async def test_a_failure_reaches_the_caller_as_the_store_names_it(tmp_path: Path) -> None:
    class Named(Batcher):
        def failure(self, exc: BaseException) -> BaseException:
            return RuntimeError(f"named: {exc}")

    db = await connect(tmp_path / "named.db")
    runner = Named(db)
    try:
        with pytest.raises(RuntimeError, match="named: no such table: missing"):
            await runner._one("SELECT * FROM missing")
        assert await runner._call(lambda conn: "fine", Kind.READ) == "fine"
    finally:
        await db.close()
