"""Bought credits on one account across platforms, on each store backend (a real SQLite
file, a real PostgreSQL database): they follow the account on /link and /unlink without
any being made, a linked user spends, gets back and sees in /history the account's bought
credits, and a payment's refund takes them back from the account."""

from __future__ import annotations

from bot.bootstrap import Core
from bot.models import JobState, UserRef
from bot.replies import utc_day
from bot.storage.payment_types import Purchase, RefundOutcome
from tests.postgres import BACKENDS
from tests.test_link_accounts import DC, PER_DAY, TG, core, link, new_job, now, policy_at, say

__all__ = ["core"]  # the fixture, shared with the link tests

pytestmark = BACKENDS


def pack(payment: str, user: UserRef, credits: int) -> Purchase:
    return Purchase(f"telegram:{payment}", user, "credits:10:50", credits, 50, "XTR")


async def bought(core: Core, user: UserRef) -> int:
    return (await core.store.balance(user, utc_day(now(core)))).purchased


async def purchase_total(core: Core) -> int:
    return sum(e.amount for e in await core.store.ledger() if e.kind == "purchase")


async def test_link_and_unlink_move_bought_credits_and_create_none(core: Core) -> None:
    await core.store.credit_purchase(pack("t1", TG, 7), now(core))
    await core.store.credit_purchase(pack("d1", DC, 4), now(core))

    reply = await link(core, TG, DC)
    assert not reply.error and "4 bonus and bought credits" in reply.text, reply.text
    assert await bought(core, TG) == await bought(core, DC) == 11
    assert await purchase_total(core) == 11  # moved by rows that cancel out, none made
    moved = [
        (e.user, e.amount)
        for e in await core.store.ledger()
        if e.kind == "purchase" and e.note.startswith("link")
    ]
    assert moved == [("discord:2", -4), ("telegram:1", 4)]

    assert not (await say(core, TG, "/unlink")).error  # the primary leaves: DC keeps them
    assert (await bought(core, TG), await bought(core, DC)) == (0, 11)
    assert await purchase_total(core) == 11
    assert sum((await core.store.accounts()).purchased.values()) == 11


async def test_a_linked_user_spends_and_gets_back_the_accounts_bought_credits(
    core: Core,
) -> None:
    await core.store.credit_purchase(pack("t1", TG, 5), now(core))
    assert not (await link(core, TG, DC)).error
    t = now(core)
    spent = new_job(DC, PER_DAY + 3, t)  # the day's free credits, then 3 bought
    await core.store.reserve(spent, policy_at(t), t)
    assert await bought(core, TG) == 2
    failed = new_job(DC, 2, t)
    await core.store.reserve(failed, policy_at(t), t)
    assert await bought(core, DC) == 0
    await core.store.settle(failed.id, charge=False, state=JobState.FAILED, now=t)
    assert await bought(core, TG) == 2  # refunded to the account
    await core.store.settle(spent.id, charge=True, state=JobState.DELIVERED, now=t)

    refund = await core.store.refund_purchase("telegram:t1", True, t)  # forced: 3 were spent
    assert (refund.outcome, refund.taken) == (RefundOutcome.TAKEN, 2)
    assert await bought(core, DC) == 0

    history = (await say(core, DC, "/history")).text  # TG's purchase and DC's jobs together
    lines = history.splitlines()[1:]
    assert "payment refunded −2 — payment telegram:t1" in lines[0], history
    assert "purchased +5 — payment telegram:t1" in lines[-1], history
    kinds = [e.kind for e in await core.store.history(DC)]
    assert kinds == ["payment_refund", "charge", "refund", "reserve", "reserve", "purchase"]
