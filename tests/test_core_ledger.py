"""The ledger reconciles with the balances: every row is the change actually made, and the
running credit totals the metrics read stay equal to the ledger's sums, however large it is."""

from __future__ import annotations

from pathlib import Path

from bot.models import UserRef
from bot.storage.sqlite import SqliteStore

USER = UserRef("telegram", "1001")


async def ledger_sum(store: SqliteStore, kind: str) -> int:
    return sum(e.amount for e in await store.ledger() if e.kind == kind)


async def test_a_grant_records_only_the_credits_it_really_moved(tmp_path: Path) -> None:
    store = await SqliteStore.open(tmp_path / "videobot.db")
    try:
        assert await store.grant(USER, 5, now=1.0) == 5
        assert await store.grant(USER, -1_000_000, now=2.0, note="take all") == 0
        assert await store.grant(USER, -3, now=3.0) == 0  # nothing left to take
        assert await store.grant(USER, 2, now=4.0) == 2
        grants = [(e.amount, e.note) for e in await store.ledger() if e.kind == "grant"]
        assert grants == [(5, ""), (-5, "take all"), (0, ""), (2, "")]
        assert await ledger_sum(store, "grant") == (await store.balance(USER, "2026-01-01")).bonus
    finally:
        await store.close()
