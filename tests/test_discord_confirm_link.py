"""Discord's side of cost questions and linked accounts, against the Discord emulator:
✅ Confirm / ✖ Cancel components under a dear /video, and /link across platforms."""

from __future__ import annotations

import re

import pytest

from bot.commands import read
from bot.models import UserRef
from bot.replies import Incoming
from bot.service import utc_day
from tests.discord_emulator import APP_ID, OTHER_ID, USER_ID, Harness
from tests.helpers import wait_until

USER = UserRef("discord", str(USER_ID))
pytestmark = pytest.mark.harness(confirm_above_credits=1)


async def question(h: Harness) -> tuple[str, int]:
    """A dear /video's question: its token and the message that asks it."""
    payload = h.interact(h.fake.slash("video", prompt="a paper boat", duration=10))
    (edit,) = await h.fake.wait_for(
        "PATCH",
        rf"/webhooks/{APP_ID}/{payload['token']}/messages/",
        lambda c: any(i.startswith("videobot:confirm:") for i in c.custom_ids()),
    )
    assert "costs 2 credits" in edit.content
    confirm, decline = edit.custom_ids()
    token = confirm.removeprefix("videobot:confirm:")
    assert decline == f"videobot:decline:{token}"
    message_id = max(m for m, v in h.fake.messages.items() if "costs 2 credits" in v["content"])
    return token, message_id


async def test_confirm_reserves_and_a_strangers_click_does_not(h: Harness) -> None:
    token, message_id = await question(h)
    assert await h.core.store.ledger() == []
    click = h.interact(h.fake.click(message_id, f"videobot:confirm:{token}", user_id=OTHER_ID))
    await h.fake.wait_for(
        "PATCH", rf"/webhooks/{APP_ID}/{click['token']}/messages/",
        lambda c: "Only the person who asked" in c.content,
    )  # fmt: skip
    assert await h.core.store.ledger() == []

    h.interact(h.fake.click(message_id, f"videobot:confirm:{token}"))
    job = await h.job()
    await h.settled(job.id)
    assert [(e.kind, e.amount) for e in await h.core.store.ledger()] == [
        ("reserve", 2),
        ("charge", 2),
    ]


async def test_decline_costs_nothing(h: Harness) -> None:
    token, message_id = await question(h)
    click = h.interact(h.fake.click(message_id, f"videobot:decline:{token}"))
    (answer,) = await h.fake.wait_for("POST", rf"/interactions/{click['id']}/.+/callback")
    assert "nothing was spent" in answer.json["data"]["content"]
    assert len(h.core.service.questions) == 0 and await h.core.store.ledger() == []


async def test_typed_confirm_by_slash_and_by_prefix(h: Harness) -> None:
    await question(h)
    h.interact(h.fake.slash("confirm"))
    first = await h.job()
    await h.settled(first.id)
    h.post(h.fake.message("!video --duration 10 a second boat"))
    await h.fake.wait_for(
        "PATCH", r"/channels/\d+/messages/\d+", lambda c: "costs 2 credits" in c.content
    )
    assert len(h.core.service.questions) == 1
    h.post(h.fake.message("!confirm"))
    await wait_until(lambda: len(h.core.service.questions) == 0)
    second = await h.job()
    assert second.id != first.id and second.prompt == "a second boat"
    await h.settled(second.id)
    charges = [e.amount for e in await h.core.store.ledger() if e.kind == "charge"]
    assert charges == [2, 2]


async def test_link_a_telegram_account_from_discord(h: Harness) -> None:
    service = h.core.service
    telegram = UserRef("telegram", "1")
    await h.core.store.grant(telegram, 4, service.clock())
    code_reply = await service.handle(Incoming(user=telegram, command=read("/link")))
    code = re.search(r"code: (\S+)", code_reply.text)
    assert code is not None
    link = h.interact(h.fake.slash("link", code=code.group(1)))
    (answer,) = await h.fake.wait_for("POST", rf"/interactions/{link['id']}/.+/callback")
    assert "Linked" in answer.json["data"]["content"]
    balance = await h.core.store.balance(USER, utc_day(service.clock()))
    assert balance.bonus == 4  # the Telegram account's credits, seen from Discord
    unlink = h.interact(h.fake.slash("unlink"))
    (answer,) = await h.fake.wait_for("POST", rf"/interactions/{unlink['id']}/.+/callback")
    assert "Unlinked" in answer.json["data"]["content"]
    assert sum(e.amount for e in await h.core.store.ledger() if e.kind == "grant") == 4
