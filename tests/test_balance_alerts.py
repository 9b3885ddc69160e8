"""Balance alerts: the Runway emulator's balance falls below VENDOR_BALANCE_ALERT, then
recovers; each admin gets exactly one message for each, across checks and a restart (the
alert's state is in the store), on SQLite and PostgreSQL."""

from __future__ import annotations

import time

from bot.admin_notices import AdminNotices
from bot.balance_watch import BalanceWatch
from bot.bootstrap import Core
from bot.storage import open_store
from tests.emulators.base import Fault
from tests.emulators.runway import CREDITS_BODY, RunwayEmulator
from tests.postgres import BACKENDS
from tests.test_telegram_e2e import ADMIN_ID, RigFactory, make_rig  # noqa: F401 (a fixture)

ADMINS = ["telegram:111", "discord:222", "console:333"]  # the console cannot be messaged


def watch(core: Core, sent: list[tuple[str, str]], thresholds: dict[str, float]) -> BalanceWatch:
    notices = AdminNotices(ADMINS)
    for platform in ("telegram", "discord"):

        async def send(user_id: str, text: str, platform: str = platform) -> None:
            sent.append((f"{platform}:{user_id}", text))

        notices.register(platform, send)
    return BalanceWatch(thresholds, core.store, core.vendors, notices, core.engine.clock)


@BACKENDS
async def test_one_alert_per_admin_when_low_and_one_when_recovered(
    core: Core, emu: RunwayEmulator, database_url: str
) -> None:
    sent: list[tuple[str, str]] = []
    alerts = watch(core, sent, {"runway": 500})
    await alerts.check()
    assert sent == []  # 1000 credits: fine, and no "recovered" for an alert never raised

    emu.credit_balance = 420
    for _ in range(3):
        await alerts.check()
    assert [who for who, _ in sent] == ["telegram:111", "discord:222"]
    assert all("runway" in text and "420" in text and "500" in text for _, text in sent)

    # A restart: a new store and watcher on the same database remember the alert.
    reopened = await open_store(database_url)
    try:
        again = BalanceWatch({"runway": 500}, reopened, core.vendors, alerts.notices, time.time)
        await again.check()
        assert len(sent) == 2
        emu.credit_balance = 900
        await again.check()
        await alerts.check()
    finally:
        await reopened.close()
    assert [who for who, _ in sent[2:]] == ["telegram:111", "discord:222"]
    assert all("back to 900" in text for _, text in sent[2:])


@BACKENDS
async def test_an_out_of_credits_answer_alerts_once(core: Core, emu: RunwayEmulator) -> None:
    sent: list[tuple[str, str]] = []
    alerts = watch(core, sent, {})  # no threshold: only the vendor's own "out of credits"
    emu.fail_next("organization", Fault(400, CREDITS_BODY), times=2)
    await alerts.check()
    await alerts.check()
    assert [who for who, _ in sent] == ["telegram:111", "discord:222"]
    assert "out of credits" in sent[0][1]
    await alerts.check()  # answers 1000 again
    assert len(sent) == 4 and "back to 1000" in sent[-1][1]


async def test_telegram_admin_gets_the_alert_in_a_private_chat(
    make_rig: RigFactory,  # noqa: F811 (the fixture imported above)
) -> None:
    rig = await make_rig(vendor_balance_alert={"runway": 500.0})
    rig.vendor.credit_balance = 120
    watch = rig.core.balance_watch()
    await watch.check()
    await watch.check()
    to_admin = [
        c for c in rig.tg.calls_of("sendMessage") if str(c.params.get("chat_id")) == str(ADMIN_ID)
    ]
    assert len(to_admin) == 1 and "120" in str(to_admin[0].params["text"])
    rig.vendor.credit_balance = 800
    await watch.check()
    await watch.check()
    to_admin = [
        c for c in rig.tg.calls_of("sendMessage") if str(c.params.get("chat_id")) == str(ADMIN_ID)
    ]
    assert len(to_admin) == 2 and "back to 800" in str(to_admin[1].params["text"])
