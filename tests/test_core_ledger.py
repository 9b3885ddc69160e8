"""The ledger reconciles with the balances: every row is the change actually made, and the
running credit totals the metrics read stay equal to the ledger's sums, however large it is."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from contextlib import closing
from pathlib import Path

from bot.models import UserRef
from bot.storage import Store
from bot.storage.sqlite import SqliteStore
from tests.ledger_rows import bulk_ledger
from tests.postgres import BACKENDS

USER = UserRef("telegram", "1001")


async def ledger_sum(store: Store, kind: str) -> int:
    return sum(e.amount for e in await store.ledger() if e.kind == kind)


@BACKENDS
async def test_a_grant_records_only_the_credits_it_really_moved(store: Store) -> None:
    assert await store.grant(USER, 5, now=1.0) == 5
    assert await store.grant(USER, -1_000_000, now=2.0, note="take all") == 0
    assert await store.grant(USER, -3, now=3.0) == 0  # nothing left to take
    assert await store.grant(USER, 2, now=4.0) == 2
    grants = [(e.amount, e.note) for e in await store.ledger() if e.kind == "grant"]
    assert grants == [(5, ""), (-5, "take all"), (0, ""), (2, "")]
    assert await ledger_sum(store, "grant") == (await store.balance(USER, "2026-01-01")).bonus
    assert (await store.credit_totals())["grant"] == 2


def expected_totals(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as db:
        rows = db.execute("SELECT kind, SUM(amount) FROM ledger GROUP BY kind").fetchall()
    # every kind has its running total, 0 until the first entry of it
    return {"purchase": 0, "payment_refund": 0} | {kind: int(total) for kind, total in rows}


async def steps_of(store: SqliteStore, call: Callable[[], Awaitable[object]]) -> int:
    """SQLite virtual machine steps (in hundreds) that `call` makes on the store's connection:
    the work it does, however fast the machine happens to be."""
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    store.db._conn.set_progress_handler(count, 100)
    try:
        await call()
    finally:
        store.db._conn.set_progress_handler(None, 100)
    return steps


async def test_credit_totals_cost_the_same_for_a_ledger_of_any_size(tmp_path: Path) -> None:
    small_path, big_path = tmp_path / "small.db", tmp_path / "big.db"
    bulk_ledger(small_path, 10, schema=2)
    bulk_ledger(big_path, 300_000, schema=2)  # written by a build before the running totals
    small = await SqliteStore.open(small_path)
    big = await SqliteStore.open(big_path)
    try:
        assert await big.credit_totals() == expected_totals(big_path)
        assert await small.credit_totals() == expected_totals(small_path)
        await big.grant(USER, 7, now=1.0)  # the bot's own writes keep them current
        await big.close()
        bulk_ledger(big_path, 1_000)  # and so do another process's
        big = await SqliteStore.open(big_path)
        assert await big.credit_totals() == expected_totals(big_path)

        small_work = await steps_of(small, small.credit_totals)
        big_work = await steps_of(big, big.credit_totals)
        assert big_work <= small_work + 1 and big_work < 10
    finally:
        await small.close()
        await big.close()
