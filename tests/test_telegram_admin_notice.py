"""Telegram: the admins hear once, in their private chat with the bot, that a vendor is out
of credits; the users' jobs are refunded and the vendor is not asked again."""

from __future__ import annotations

import pytest

from bot.models import JobState
from tests.botapi_emulator import Call
from tests.emulators.base import Fault
from tests.helpers import wait_until
from tests.test_telegram_e2e import ADMIN_ID, RigFactory, make_rig

__all__ = ["make_rig"]  # the fixture, used by name

pytestmark = pytest.mark.filterwarnings("ignore:.*`retry_after` will be of type")


def to_admin(call: Call) -> bool:
    return str(call.params.get("chat_id")) == str(ADMIN_ID)


async def test_admins_hear_once_that_the_vendor_is_out_of_credits(make_rig: RigFactory) -> None:
    rig = await make_rig()
    body = {"error": "You do not have enough credits to run this task."}
    rig.vendor.fail_next("create", Fault(status=400, body=body), times=2)
    rig.tg.push_message(rig.tg.make_message("/video one"))
    (told,) = await rig.tg.wait_for("sendMessage", where=to_admin)
    assert "runway" in told.params["text"] and "out of credits" in told.params["text"]
    rig.tg.push_message(rig.tg.make_message("/video two"))

    async def both_refunded() -> bool:
        states = [j.state for j in await rig.core.store.list_jobs()]
        return len(states) == 2 and all(s is JobState.FAILED for s in states)

    await wait_until(both_refunded, timeout=15)
    assert len(rig.creates()) == 1  # held: the second job never went to the vendor
    assert len([c for c in rig.tg.calls_of("sendMessage") if to_admin(c)]) == 1
