"""Discord credit packs end to end: real discord.py objects against the fake Discord REST
server, the real core and a SQLite file. Entitlements of the configured consumable SKUs are
credited and consumed once per entitlement id: bought while the bot was down (listed at
start), bought live (ENTITLEMENT_CREATE), delivered twice, or credited before a consume that
failed. /buy shows the SKUs' premium buttons."""

from __future__ import annotations

from pathlib import Path

from bot import texts
from bot.models import UserRef
from bot.service import utc_day
from tests.discord_emulator import USER_ID, Harness
from tests.helpers import wait_until

USER = UserRef("discord", str(USER_ID))
SKUS = "1200000000000000011:10,1200000000000000022:50"
SMALL, BIG = 1200000000000000011, 1200000000000000022


async def bought(h: Harness) -> int:
    return (await h.core.store.balance(USER, utc_day(h.clock()))).purchased


def harness(tmp_path: Path) -> Harness:
    h = Harness(tmp_path, discord_credit_skus=SKUS)
    h.fake.add_sku(SMALL, "10 credits")
    h.fake.add_sku(BIG, "50 credits")
    return h


async def test_entitlements_bought_while_down_and_live_are_credited_and_consumed_once(
    tmp_path: Path,
) -> None:
    h = harness(tmp_path)
    offline = h.fake.purchase(USER_ID, SMALL)
    other_app_sku = h.fake.purchase(USER_ID, 1200000000000000099)  # not a credit pack
    async with h:
        assert await bought(h) == 10  # listed and taken at start
        assert h.fake.entitlements[int(offline["id"])]["consumed"] is True
        assert h.fake.entitlements[int(other_app_sku["id"])]["consumed"] is False

        live = h.fake.purchase(USER_ID, BIG)
        h.bot._connection.parse_entitlement_create(live)
        await wait_until(lambda: h.fake.entitlements[int(live["id"])]["consumed"])
        assert await bought(h) == 60
        h.bot._connection.parse_entitlement_create(live)  # delivered again
        await h.fake.wait_for("POST", rf"/entitlements/{live['id']}/consume", count=2)
        assert await bought(h) == 60

        payload = h.interact(h.fake.slash("buy"))
        (answer,) = await h.fake.wait_for("POST", rf"/interactions/{payload['id']}/.+/callback")
        buttons = [c for row in answer.json["data"]["components"] for c in row["components"]]
        assert [(b["style"], b["sku_id"]) for b in buttons] == [(6, str(SMALL)), (6, str(BIG))]
        assert "never expire" in answer.json["data"]["content"]

        payload = h.interact(h.fake.slash("history"))
        (listing,) = await h.fake.wait_for("POST", rf"/interactions/{payload['id']}/.+/callback")
        text = listing.json["data"]["content"]
        assert text.startswith(texts.t("en", "history_header"))
        assert f"purchased +50 — payment discord:{live['id']}" in text
        purchases = [e for e in await h.core.store.ledger() if e.kind == "purchase"]
        assert [e.payment_id for e in purchases] == [
            f"discord:{offline['id']}",
            f"discord:{live['id']}",
        ]


async def test_a_credit_whose_consume_failed_is_consumed_at_the_next_start_not_credited_again(
    tmp_path: Path,
) -> None:
    h = harness(tmp_path)
    entitlement = h.fake.purchase(USER_ID, SMALL)
    h.fake.fail_next("POST", r"/consume$", 403)
    async with h:
        assert await bought(h) == 10
        assert h.fake.entitlements[int(entitlement["id"])]["consumed"] is False
    again = harness(tmp_path)
    again.fake.entitlements = h.fake.entitlements  # the same application's purchases
    async with again:
        assert await bought(again) == 10
        assert again.fake.entitlements[int(entitlement["id"])]["consumed"] is True
