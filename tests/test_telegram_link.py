"""/link through Telegram (the real PTB Application against the Bot API emulator) joined
with a Discord user through the core: the code is shown only in a private chat, and the
joined account's ban and credits reach Telegram."""

from __future__ import annotations

import re

import pytest

from bot import texts
from bot.commands import read
from bot.models import UserRef
from bot.replies import Incoming
from tests.test_telegram_e2e import ADMIN_ID, RigFactory, make_rig

__all__ = ["make_rig"]

pytestmark = pytest.mark.filterwarnings("ignore:.*`retry_after` will be of type")

DISCORD = UserRef("discord", "2")


def said(key: str) -> str:
    return texts.t("en", key)


async def test_a_code_only_in_private_and_a_ban_follows_the_account(make_rig: RigFactory) -> None:
    rig = await make_rig()
    tg, service = rig.tg, rig.core.service
    tg.push_message(tg.make_message("/link", chat=tg.group_chat()))
    await tg.wait_for(
        "sendMessage", where=lambda c: c.params["text"] == texts.t("en", "link_private")
    )
    assert not [c for c in tg.calls_of("sendMessage") if "code:" in c.params["text"]]

    tg.push_message(tg.make_message("/link"))
    (shown,) = await tg.wait_for("sendMessage", where=lambda c: "code:" in c.params["text"])
    code = re.search(r"code: (\S+)", shown.params["text"])
    assert code is not None
    joined = await service.handle(Incoming(user=DISCORD, command=read(f"/link {code.group(1)}")))
    assert not joined.error, joined.text

    admin = UserRef("telegram", str(ADMIN_ID))
    banned = await service.handle(Incoming(user=admin, command=read("/ban discord:2")))
    assert not banned.error, banned.text
    tg.push_message(tg.make_message("/video a paper boat"))
    await tg.wait_for(
        "sendMessage", where=lambda c: c.params["text"] == texts.t("en", "err_banned")
    )
    assert not rig.creates() and await rig.core.store.ledger() == []
