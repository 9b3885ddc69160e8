"""Telegram Stars end to end: the real python-telegram-bot Application against the Bot API
emulator, the real core and a real SQLite file behind it. /buy's invoices, the pre-checkout
answer, the payment credited once (replayed, or lost to a stop and found again at start),
/quota and /history after it, the ledger export, and the operator's refund command."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest

from adapters.ops import admin
from adapters.ops.refund_payment import RefundRefused, refund_payment
from adapters.telegram import TelegramAdapter, TelegramSettings
from adapters.telegram.payments import purchase_of
from bot import texts
from bot.bootstrap import Core
from bot.chat import StoredChat
from bot.models import JobRequest, JobState, Mode, UserRef
from bot.service import utc_day
from bot.storage.base import NewJob, QuotaPolicy
from tests.botapi_emulator import TOKEN, BotAPIEmulator, Call
from tests.helpers import make_core, settings_for, wait_until

pytestmark = pytest.mark.filterwarnings("ignore:.*`retry_after` will be of type")

PACKS = "10:50,50:200"
ANN = UserRef("telegram", "1001")

Start = Callable[..., Awaitable[tuple[BotAPIEmulator, Core]]]


@pytest.fixture
async def start(tmp_path: Path) -> AsyncIterator[Start]:
    """A bot with CREDIT_PACKS against an emulator (a fresh one unless given)."""
    async with AsyncExitStack() as stack:

        async def factory(
            tg: BotAPIEmulator | None = None, **overrides: Any
        ) -> tuple[BotAPIEmulator, Core]:
            if tg is None:
                tg = await BotAPIEmulator().start()
                stack.push_async_callback(tg.stop)
            values = {
                "telegram_bot_token": TOKEN,
                "telegram_api_url": tg.root_url,
                "credit_packs": PACKS,
                "admin_user_ids": ["telegram:9000"],
                **overrides,
            }
            core = await make_core(tmp_path, **values)
            stack.push_async_callback(core.aclose)
            adapter = TelegramAdapter(core, TelegramSettings(_env_file=None), poll_timeout=5)
            await adapter.start()
            stack.push_async_callback(adapter.stop)
            await core.start()
            return tg, core

        yield factory


async def buy(tg: BotAPIEmulator, user: dict[str, Any]) -> list[Call]:
    """/buy: the pack list, then one invoice per pack."""
    tg.push_message(tg.make_message("/buy", user=user))
    return await tg.wait_for("sendInvoice", 2)


async def answer(tg: BotAPIEmulator, query_id: str) -> dict[str, Any]:
    await wait_until(lambda: query_id in tg.pre_checkout_answers)
    return tg.pre_checkout_answers[query_id]


async def purchased(core: Core, user: UserRef = ANN) -> int:
    return (await core.store.balance(user, utc_day(core.service.clock()))).purchased


async def test_buy_invoice_pre_checkout_payment_quota_and_ledger(
    start: Start, tmp_path: Path
) -> None:
    tg, core = await start()
    ann = tg.user()
    invoices = await buy(tg, ann)
    listing = [c.params["text"] for c in tg.calls_of("sendMessage")]
    assert any("10 credits for 50 ⭐" in text for text in listing), listing
    first = invoices[0].params
    assert first["currency"] == "XTR" and "provider_token" not in first
    assert [p["amount"] for p in first["prices"]] == [50]
    assert first["payload"] == "credits:10:50:telegram:1001"
    assert "pre_checkout_query" in (tg.allowed_updates or [])  # or Telegram never asks

    query = tg.pre_checkout(ann, first["payload"], 50)
    assert (await answer(tg, query))["ok"] is True
    payment = tg.pay(query, ann, first["payload"], 50)
    done = await tg.wait_for("sendMessage", where=lambda c: "credits added" in c.params["text"])
    assert "Bought credits: 10" in done[0].params["text"]
    assert await purchased(core) == 10

    tg.push_message(tg.make_message("/quota", user=ann))
    (quota,) = await tg.wait_for("sendMessage", where=lambda c: "💳" in c.params["text"])
    assert texts.t("en", "quota_purchased", purchased=10) in quota.params["text"]

    # The same update delivered again: answered, not credited again.
    tg.push_message(payment)
    await tg.wait_for("sendMessage", 2, where=lambda c: "credits added" in c.params["text"])
    assert await purchased(core) == 10

    charge = payment["successful_payment"]["telegram_payment_charge_id"]
    out = io.StringIO()
    await admin.export_ledger(core.store, None, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    bought = [r for r in rows if r["kind"] == "purchase"]
    assert len(bought) == 1
    assert bought[0]["payment_id"] == f"telegram:{charge}" and bought[0]["amount"] == "10"

    tg.push_message(tg.make_message("/history", user=ann))
    (history,) = await tg.wait_for("sendMessage", where=lambda c: "🧾" in c.params["text"])
    assert f"purchased +10 — payment telegram:{charge}" in history.params["text"]


async def test_pre_checkout_refuses_unknown_pack_other_user_and_banned(start: Start) -> None:
    tg, core = await start()
    ann = tg.user()
    unknown = tg.pre_checkout(ann, "credits:999:1:telegram:1001", 1)
    assert await answer(tg, unknown) == {
        "ok": False,
        "error_message": texts.t("en", "precheck_unknown_pack"),
    }
    cheaper = tg.pre_checkout(ann, "credits:10:50:telegram:1001", 5)  # not the pack's price
    assert (await answer(tg, cheaper))["ok"] is False
    someone_else = tg.pre_checkout(ann, "credits:10:50:telegram:2002", 50)
    assert (await answer(tg, someone_else))["error_message"] == texts.t("en", "precheck_other_user")
    await core.store.set_banned(ANN, True, core.service.clock())
    banned = tg.pre_checkout(ann, "credits:10:50:telegram:1001", 50)
    assert (await answer(tg, banned))["error_message"] == texts.t("en", "precheck_banned")
    zh = tg.user(language="zh")
    refused = tg.pre_checkout(zh, "credits:999:1:telegram:1001", 1)
    assert (await answer(tg, refused))["error_message"] == texts.t("zh", "precheck_unknown_pack")
    assert await purchased(core) == 0


async def test_payment_update_lost_to_a_stop_is_credited_at_start(
    start: Start, tmp_path: Path
) -> None:
    """Telegram will not send a confirmed update again: a payment whose update was fetched
    but never credited is found among the Star transactions when the bot starts."""
    tg = await BotAPIEmulator().start()
    try:
        ann = tg.user()
        query = tg.pre_checkout(ann, "credits:50:200:telegram:1001", 200)
        tg.pre_checkout_answers[query] = {"ok": True, "error_message": None}
        tg.pay(query, ann, "credits:50:200:telegram:1001", 200)
        refunded = tg.pre_checkout(ann, "credits:10:50:telegram:1001", 50)
        tg.pre_checkout_answers[refunded] = {"ok": True, "error_message": None}
        gone = tg.pay(refunded, ann, "credits:10:50:telegram:1001", 50)
        tg.charges[gone["successful_payment"]["telegram_payment_charge_id"]].refunded = True
        tg._updates.clear()  # fetched and confirmed by a bot that stopped before crediting
        _, core = await start(tg)
        assert await purchased(core) == 50  # not the payment refunded meanwhile
        # and the update itself, were it to come after all, credits nothing more
        charge = next(iter(tg.charges))
        late = purchase_of(charge, ANN, "credits:50:200:telegram:1001", 200, "XTR")
        await core.service.credit_purchase(late, "en")
        assert await purchased(core) == 50
    finally:
        await tg.stop()


async def test_refund_payment_takes_back_unspent_and_refuses_spent(
    start: Start, tmp_path: Path
) -> None:
    tg, core = await start(quota_credits_per_day=0)
    ann = tg.user()
    charges = []
    for _ in range(2):
        query = tg.pre_checkout(ann, "credits:10:50:telegram:1001", 50)
        assert (await answer(tg, query))["ok"]
        charges.append(tg.pay(query, ann, "credits:10:50:telegram:1001", 50))
    await wait_until(_is(core, 20))
    first, second = (c["successful_payment"]["telegram_payment_charge_id"] for c in charges)
    settings = settings_for(tmp_path, telegram_bot_token=TOKEN, telegram_api_url=tg.root_url)

    done = await refund_payment(settings, first, force=False)
    assert "took back 10 of the 10" in done
    assert tg.charges[first].refunded and await purchased(core) == 10
    # spend 5 of the other payment's credits: its refund is refused, with the numbers
    await _spend(core, 5)
    with pytest.raises(RefundRefused, match="only 5 bought credits left"):
        await refund_payment(settings, second, force=False)
    assert not tg.charges[second].refunded and await purchased(core) == 5
    forced = await refund_payment(settings, second, force=True)
    assert "took back 5 of the 10" in forced and tg.charges[second].refunded
    assert await purchased(core) == 0
    with pytest.raises(RefundRefused, match="no Telegram payment"):
        await refund_payment(settings, "nope", force=False)
    # a second run takes nothing more (Telegram says it was refunded already)
    again = await refund_payment(settings, first, force=False)
    assert "took back 10" in again and await purchased(core) == 0
    kinds = [e.kind for e in await core.store.ledger()]
    assert kinds.count("payment_refund") == 2
    audited = await core.store.audit_log(0)  # the two take-backs, not the refusals nor rerun
    assert [(e.action, e.target, e.after) for e in audited] == [
        ("refund_payment", f"telegram:{second}", "took back 5 of 10 credits"),
        ("refund_payment", f"telegram:{first}", "took back 10 of 10 credits"),
    ]


def _is(core: Core, credits: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return await purchased(core) == credits

    return check


async def _spend(core: Core, credits: int) -> None:
    """A job of `credits` charged from the bought credits (no free credits today)."""
    now = core.service.clock()
    job = NewJob(
        id="spend", user=ANN, request=JobRequest("x", Mode.TEXT), cost=credits, locale="en",
        chat=StoredChat({}), deadline_at=now + 60, media={},
    )  # fmt: skip
    await core.store.reserve(job, QuotaPolicy(utc_day(now), 0, 5, False), now)
    await core.store.settle("spend", charge=True, state=JobState.DELIVERED, now=now)
