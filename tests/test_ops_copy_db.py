"""`videobot copy-db`: a SQLite deployment moved into an empty PostgreSQL database whole
(users, credits, daily usage, jobs with their media, the ledger with its ids, the queue's
render times), checked to balance the same on both sides, and a target that already holds
data refused."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from adapters.cli import main
from bot.models import JobState, Media, UserRef
from bot.storage import Store, open_store
from bot.storage.base import JobPatch, QuotaPolicy
from bot.storage.payment_types import Purchase, RefundOutcome
from bot.storage.render_types import RenderSample
from tests.test_core_store_backends import job_of

POLICY = QuotaPolicy(day="2026-01-01", per_day=3, max_active=10, unlimited=False)
ALICE, BOB, EVE = UserRef("telegram", "1"), UserRef("discord", "2"), UserRef("telegram", "3")
PHOTO = Media(b"\xff\xd8 jpeg bytes \x00\x01", "image/jpeg", "cat.jpg")


async def fill(store: Store) -> None:
    """A deployment's worth of history: grants, delivered, refunded and running jobs."""
    await store.grant(ALICE, 5, 1.0, note="welcome")
    await store.grant(BOB, 2, 1.5)
    await store.reserve(replace(job_of(ALICE, 1, cost=2), media={"first": PHOTO}), POLICY, 2.0)
    await store.reserve(job_of(ALICE, 2, cost=2), POLICY, 3.0)  # 1 daily + 1 bonus
    await store.reserve(job_of(BOB, 3), POLICY, 4.0)
    await store.settle(f"{1:032x}", charge=True, state=JobState.DELIVERED, now=5.0)
    await store.settle(
        f"{3:032x}", charge=False, state=JobState.FAILED, now=6.0,
        patch=JobPatch(error_code="moderated", notice="refunded"),
    )  # fmt: skip
    await store.transition(
        f"{2:032x}", (JobState.QUEUED,), JobState.RUNNING, 7.0,
        JobPatch(vendor="runway", vendor_task_id="task-2", progress=0.5),
    )  # fmt: skip
    await store.set_banned(EVE, True, 8.0)
    await store.record_render(RenderSample("runway", "gen4_turbo", 42.5, 9.0), keep=20)
    await store.record_render(RenderSample("local", "local", 3.0, 9.5), keep=20)


async def snapshot(store: Store) -> tuple[object, ...]:
    accounts = await store.accounts()
    return (
        sorted(accounts.jobs, key=lambda j: j.id),
        sorted(accounts.usage, key=lambda u: u.user),
        accounts.bonuses,
        await store.ledger(),
        await store.credit_totals(),
        await store.users(POLICY.day),
        await store.media(f"{1:032x}"),
        await store.get_job(f"{2:032x}"),
        await store.pending_notices(0.0),
        await store.render_history(20),
    )


@pytest.fixture
def target(fresh_postgres_url: str, clean_env: None) -> str:
    """An empty PostgreSQL database to copy into; no setting read from the environment."""
    return fresh_postgres_url


async def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = await asyncio.to_thread(main, list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def test_a_sqlite_deployment_is_copied_whole_and_balances_the_same(
    tmp_path: Path, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source_url = f"sqlite:///{tmp_path / 'old.db'}"
    source = await open_store(source_url)
    try:
        await fill(source)
        before = await snapshot(source)
    finally:
        await source.close()

    code, out, err = await cli(capsys, "copy-db", "--from", source_url, "--to", target)
    assert code == 0, err
    copied_rows = (
        "3 users, 2 daily_usage, 3 jobs, 0 alerts, 0 audit_log, 0 group_budgets, "
        "0 group_usage, 1 job_media, 7 ledger, 0 link_codes, 0 payments, 0 queue_turns, "
        "2 render_times, 0 settings, 0 user_links, 0 vendor_breakers"
    )
    assert copied_rows in out
    assert "ledger balances the same on both sides: reserve 5, charge 2, refund 1, grant 7" in out

    copied = await open_store(target)
    try:
        assert await snapshot(copied) == before
        await copied.reserve(job_of(BOB, 4), POLICY, 9.0)  # the copy goes on as the bot would
        assert (await copied.ledger())[-1].id == 8
        assert (await copied.balance(BOB, POLICY.day)).used_today == 1
    finally:
        await copied.close()

    code, out, err = await cli(capsys, "copy-db", "--from", source_url, "--to", target)
    assert code == 1 and out == ""
    assert "nothing copied: the target database already holds" in err


async def bought(store: Store) -> tuple[object, ...]:
    accounts = await store.accounts()
    return (
        accounts.purchased,
        sorted(accounts.jobs, key=lambda j: j.id),
        await store.history(ALICE),
        await store.history(BOB),
        await store.balance(ALICE, POLICY.day),
    )


async def test_bought_credits_and_their_payments_are_copied(
    tmp_path: Path, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source_url = f"sqlite:///{tmp_path / 'old.db'}"
    stars = Purchase("telegram:c1", ALICE, "credits:10:50", 10, 50, "XTR")
    source = await open_store(source_url)
    try:
        await source.credit_purchase(stars, 1.0)
        await source.credit_purchase(Purchase("discord:9", BOB, "sku:9", 4, 0, "SKU"), 1.5)
        await source.refund_purchase("discord:9", False, 2.0)
        await source.reserve(job_of(ALICE, 1, cost=5), POLICY, 3.0)  # 3 daily + 2 bought
        before = await bought(source)
    finally:
        await source.close()

    code, out, err = await cli(capsys, "copy-db", "--from", source_url, "--to", target)
    assert code == 0, err
    assert "2 payments" in out and "purchase 14, payment_refund -4" in out
    copied = await open_store(target)
    try:
        assert await bought(copied) == before
        assert not (await copied.credit_purchase(stars, 4.0)).new  # still credited once
        again = await copied.refund_purchase("discord:9", True, 4.0)
        assert (again.outcome, again.taken) == (RefundOutcome.ALREADY, 4)
    finally:
        await copied.close()


async def test_wrong_sources_and_targets_are_refused_with_nothing_written(
    tmp_path: Path, target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'a.db'}"
    code, _, err = await cli(capsys, "copy-db", "--from", sqlite_url, "--to", sqlite_url)
    assert code == 2 and "--to must be postgresql://" in err
    code, _, err = await cli(capsys, "copy-db", "--from", sqlite_url, "--to", target)
    assert code == 1 and "no such database file" in err
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 50)
    junk = f"sqlite:///{tmp_path / 'junk.db'}"
    code, _, err = await cli(capsys, "copy-db", "--from", junk, "--to", target)
    assert code == 1 and "nothing copied" in err
    untouched = await open_store(target)
    try:
        assert await untouched.ledger() == [] and await untouched.list_jobs() == []
    finally:
        await untouched.close()
