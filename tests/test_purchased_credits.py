"""Bought credits in the store (a real SQLite file, and PostgreSQL): kept apart from the free
and granted credits, spent last, given back with a refunded job, credited once per payment id
whoever delivers it, taken back once by a payment refund, and listed by /history."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import asyncpg
import pytest

from bot import texts
from bot.chat import StoredChat
from bot.errors import QuotaError
from bot.history import history_line, history_text
from bot.models import JobRequest, JobState, Mode, UserRef
from bot.storage import Store, open_store
from bot.storage.base import JobPatch, NewJob, QuotaPolicy
from bot.storage.migrations import MIGRATIONS, apply_migrations
from bot.storage.payment_types import Purchase, RefundOutcome
from bot.storage.postgres.migrations import MIGRATIONS as PG_MIGRATIONS
from tests.postgres import BACKENDS

ANN = UserRef("telegram", "1001")
DAY = "2026-12-01"
NOW = 1_796_000_000.0


def job(job_id: str, cost: int) -> NewJob:
    return NewJob(
        id=job_id, user=ANN, request=JobRequest("a cat", Mode.TEXT), cost=cost, locale="en",
        chat=StoredChat({}), deadline_at=NOW + 60, media={},
    )  # fmt: skip


def pack(charge: str, credits: int = 10) -> Purchase:
    return Purchase(f"telegram:{charge}", ANN, "credits:10:50", credits, 50, "XTR")


POLICY = QuotaPolicy(day=DAY, per_day=3, max_active=5, unlimited=False)


@BACKENDS
async def test_free_then_granted_then_bought_and_a_refund_gives_each_back(store: Store) -> None:
    await store.grant(ANN, 2, NOW)
    assert (await store.credit_purchase(pack("c1"), NOW)).new
    await store.reserve(job("j1", 4), POLICY, NOW)  # 3 free + 1 granted
    balance = await store.balance(ANN, DAY)
    assert (balance.used_today, balance.bonus, balance.purchased) == (3, 1, 10)
    await store.reserve(job("j2", 5), POLICY, NOW)  # 1 granted + 4 bought
    balance = await store.balance(ANN, DAY)
    assert (balance.bonus, balance.purchased, balance.left(3)) == (0, 6, 6)
    await store.settle("j2", charge=False, state=JobState.FAILED, now=NOW)
    balance = await store.balance(ANN, DAY)
    assert (balance.bonus, balance.purchased) == (1, 10)
    with pytest.raises(QuotaError) as refused:
        await store.reserve(job("j3", 12), POLICY, NOW)
    assert refused.value.params == {"cost": 12, "left": 11}
    accounts = await store.accounts()
    assert accounts.purchased == {str(ANN): 10}
    assert {a.id: a.paid_purchased for a in accounts.jobs} == {"j1": 0, "j2": 4}


@BACKENDS
async def test_a_payment_is_credited_once_even_from_two_connections(database_url: str) -> None:
    one = await open_store(database_url)
    two = await open_store(database_url)
    try:
        results = await asyncio.gather(
            *(store.credit_purchase(pack("c1"), NOW) for store in (one, two, one, two))
        )
        assert sorted(r.new for r in results) == [False, False, False, True]
        assert {(r.user, r.credits, r.purchased) for r in results} == {(str(ANN), 10, 10)}
        purchases = [e for e in await one.ledger() if e.kind == "purchase"]
        assert [(e.amount, e.payment_id) for e in purchases] == [(10, "telegram:c1")]
        assert (await one.credit_totals())["purchase"] == 10
    finally:
        await one.close()
        await two.close()


@BACKENDS
async def test_refund_purchase_once_refused_when_spent_unless_forced(store: Store) -> None:
    assert (await store.refund_purchase("telegram:nope", False, NOW)).outcome is (
        RefundOutcome.UNKNOWN
    )
    await store.credit_purchase(pack("c1"), NOW)
    await store.reserve(job("j1", 5), QuotaPolicy(DAY, 0, 5, False), NOW)
    spent = await store.refund_purchase("telegram:c1", False, NOW)
    assert (spent.outcome, spent.left, spent.taken) == (RefundOutcome.SPENT, 5, 0)
    # Two forced refunds at once (an operator's rerun): one takes the 5 left, once.
    forced, again = await asyncio.gather(
        *(store.refund_purchase("telegram:c1", True, NOW) for _ in range(2))
    )
    assert {(r.outcome, r.taken) for r in (forced, again)} == {
        (RefundOutcome.TAKEN, 5),
        (RefundOutcome.ALREADY, 5),
    }
    assert (await store.balance(ANN, DAY)).purchased == 0
    refunds = [e for e in await store.ledger() if e.kind == "payment_refund"]
    assert [(e.amount, e.payment_id, e.note) for e in refunds] == [
        (-5, "telegram:c1", "forced: 5 spent")
    ]
    assert (await store.credit_totals())["payment_refund"] == -5


@BACKENDS
async def test_history_lists_the_last_movements_with_job_payment_and_reason(
    store: Store,
) -> None:
    assert await history_text(store, ANN, "en") == texts.t("en", "history_none")
    await store.credit_purchase(pack("chargeXYZ"), NOW)
    await store.reserve(job("abcdef0123", 2), POLICY, NOW)
    await store.settle(
        "abcdef0123", charge=False, state=JobState.CANCELLED, now=NOW,
        patch=JobPatch(error_code="cancelled"),
    )  # fmt: skip
    await store.grant(ANN, 3, NOW, "thanks")
    for i in range(25):
        await store.reserve(job(f"j{i:02d}", 1), QuotaPolicy(DAY, 100, 50, False), NOW)
    entries = await store.history(ANN)
    assert len(entries) == 20 and entries[0].job_id == "j24"
    lines = (await history_text(store, ANN, "zh")).splitlines()
    assert lines[0] == texts.t("zh", "history_header") and "预留 −1 — 任务 j24" in lines[1]
    older = await store.history(ANN, 100)
    kinds = [(e.kind, e.job_id or e.payment_id) for e in reversed(older[-4:])]
    assert kinds == [
        ("purchase", "telegram:chargeXYZ"),
        ("reserve", "abcdef0123"),
        ("refund", "abcdef0123"),
        ("grant", None),
    ]
    assert older[-3].reason == "cancelled"
    assert "refunded (cancelled) +2 — job abcdef01" in history_line(older[-3], "en")


def test_migration_keeps_the_old_ledger_and_its_totals(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path, isolation_level=None)
    for number, script in enumerate(MIGRATIONS[:6], start=1):
        db.executescript(script)
        db.execute(f"PRAGMA user_version = {number}")
    db.execute("INSERT INTO users (user, bonus, created_at) VALUES ('telegram:1', 3, 0)")
    db.execute(
        "INSERT INTO ledger (at, user, job_id, kind, amount, note) "
        "VALUES (0, 'telegram:1', NULL, 'grant', 3, 'old')"
    )
    db.execute("BEGIN")
    apply_migrations(db)
    db.execute("COMMIT")
    assert db.execute("SELECT id, kind, amount, note, payment_id FROM ledger").fetchall() == [
        (1, "grant", 3, "old", None)
    ]
    totals = dict(db.execute("SELECT kind, total FROM credit_totals").fetchall())
    assert totals["grant"] == 3 and totals["purchase"] == 0
    db.execute(
        "INSERT INTO ledger (at, user, kind, amount, payment_id) "
        "VALUES (0, 'telegram:1', 'purchase', 7, 'telegram:x')"
    )
    assert db.execute("SELECT total FROM credit_totals WHERE kind = 'purchase'").fetchone() == (7,)
    with pytest.raises(sqlite3.IntegrityError):  # one purchase entry per payment
        db.execute(
            "INSERT INTO ledger (at, user, kind, amount, payment_id) "
            "VALUES (0, 'telegram:1', 'purchase', 7, 'telegram:x')"
        )
    db.close()


async def test_postgresql_migration_keeps_the_old_ledger_and_its_totals(
    fresh_postgres_url: str,
) -> None:
    db = await asyncpg.connect(fresh_postgres_url)
    try:
        for script in PG_MIGRATIONS[:6]:
            await db.execute(script)
        await db.execute(
            "INSERT INTO users (\"user\", bonus, created_at) VALUES ('telegram:1', 3, 0); "
            'INSERT INTO ledger (at, "user", job_id, kind, amount, note) '
            "VALUES (0, 'telegram:1', NULL, 'grant', 3, 'old')"
        )
        await db.execute(PG_MIGRATIONS[6])
        rows = await db.fetch("SELECT id, kind, amount, note, payment_id FROM ledger")
        assert [tuple(r) for r in rows] == [(1, "grant", 3, "old", None)]
        insert = (
            'INSERT INTO ledger (at, "user", kind, amount, payment_id) '
            "VALUES (0, 'telegram:1', 'purchase', 7, 'telegram:x')"
        )
        await db.execute(insert)
        totals = dict(await db.fetch("SELECT kind, SUM(total) FROM credit_totals GROUP BY kind"))
        assert (totals["grant"], totals["purchase"]) == (3, 7)
        with pytest.raises(asyncpg.UniqueViolationError):  # one purchase entry per payment
            await db.execute(insert)
        with pytest.raises(asyncpg.CheckViolationError):
            await db.execute(insert.replace("'purchase'", "'gift'"))
    finally:
        await db.close()


def test_pack_settings_are_read_from_the_environment_and_bad_ones_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pydantic import ValidationError

    from bot.config import Settings
    from bot.packs import CreditPack

    monkeypatch.setenv("CREDIT_PACKS", "10:50, 50:200")
    monkeypatch.setenv("DISCORD_CREDIT_SKUS", "1234567890123456789:10")
    monkeypatch.setenv("PAYSUPPORT_TEXT", "Write to pay@example.org")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.credit_packs == [CreditPack(10, 50), CreditPack(50, 200)]
    assert settings.discord_credit_skus == {1234567890123456789: 10}
    assert settings.paysupport_text == "Write to pay@example.org"
    for bad, why in (("10:0", "above zero"), ("ten:50", "credits:Stars"), ("10:5,10:6", "same")):
        monkeypatch.setenv("CREDIT_PACKS", bad)
        with pytest.raises(ValidationError, match=why):
            Settings(_env_file=None)  # type: ignore[call-arg]
    monkeypatch.setenv("CREDIT_PACKS", "")
    assert Settings(_env_file=None).credit_packs == []  # type: ignore[call-arg]


async def test_buy_where_nothing_is_sold_paysupport_and_terms(tmp_path: Path) -> None:
    from bot.commands import read
    from bot.replies import Incoming
    from tests.helpers import make_core

    core = await make_core(tmp_path, terms_text="Our terms.")
    try:
        console = UserRef("console", "me")

        async def answer(text: str, locale: str = "en") -> str:
            return (await core.service.handle(Incoming(console, read(text), locale))).text

        assert await answer("/buy") == texts.t("en", "buy_none")
        assert await answer("/buy", "zh-hans") == texts.t("zh", "buy_none")
        assert await answer("/paysupport") == texts.t("en", "paysupport_default")
        assert await answer("/terms") == "Our terms."
        assert await answer("/history") == texts.t("en", "history_none")
        assert "history" in [c for c, _ in core.service.command_list("en")]
    finally:
        await core.aclose()
