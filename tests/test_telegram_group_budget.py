"""Group budgets on Telegram, end to end: the real Application against the Bot API
emulator (which answers getChatMember as Telegram does) and the real core on Runway's
emulator. A chat administrator sets the pool, a plain member is refused, and the group's
jobs draw from the pool within each member's share."""

from __future__ import annotations

from typing import Any

import pytest

from bot.models import UserRef
from bot.service import utc_day
from tests.botapi_emulator import Call
from tests.test_telegram_e2e import ADMIN_ID, Rig, RigFactory, make_rig

__all__ = ["make_rig"]  # the fixture, used by name

pytestmark = pytest.mark.filterwarnings("ignore:.*`retry_after` will be of type")


async def say(rig: Rig, text: str, user: dict[str, Any], chat: dict[str, Any]) -> str:
    """Send `text` as `user` in `chat`; the bot's reply to it."""
    message = rig.tg.push_message(rig.tg.make_message(text, user=user, chat=chat))
    (reply,) = await rig.tg.wait_for("sendMessage", where=lambda c: replies(c, message))
    return str(reply.params["text"])


def replies(call: Call, message: dict[str, Any]) -> bool:
    same_chat = call.params["chat_id"] == message["chat"]["id"]
    return same_chat and call.reply_to == message["message_id"]


def member_checks(rig: Rig, user: dict[str, Any] | None = None) -> list[Call]:
    calls = rig.tg.calls_of("getChatMember")
    return [c for c in calls if user is None or c.params["user_id"] == user["id"]]


async def test_a_chat_admins_pool_limits_the_groups_jobs(make_rig: RigFactory) -> None:
    rig = await make_rig(quota_credits_per_day=0)
    tg = rig.tg
    group = tg.group_chat(-1005)
    ann, bob, cy = rig.ann, tg.user(1002, name="Bob"), tg.user(1003, name="Cy")
    tg.set_status(group, ann, "administrator")
    tg.set_status(group, bob, "member")

    refused = await say(rig, "/groupquota 5", bob, group)
    assert "Only this chat's admins" in refused
    assert [c.params["chat_id"] for c in member_checks(rig, bob)] == [-1005]
    assert "2 credits a day to share" in await say(rig, "/groupquota 2", ann, group)
    assert "at most 1 a member" in await say(rig, "/groupquota member 1", ann, group)
    assert len(member_checks(rig, ann)) == 1  # remembered for a minute

    accepted = await say(rig, "/video a fox on a bike", bob, group)
    assert accepted.startswith("🎬") and "from this chat's group budget" in accepted
    share = await say(rig, "/video a second fox", bob, group)
    assert "used your share" in share and "resets in" in share
    assert (await say(rig, "/video a cat", ann, group)).startswith("🎬")
    used_up = await say(rig, "/video a dog", cy, group)
    assert "group budget for today is used up" in used_up and "midnight UTC" in used_up
    day = utc_day(rig.core.service.clock())
    for user in (ann, bob, cy):  # nobody's own credits were asked
        ref = UserRef("telegram", str(user["id"]))
        assert (await rig.core.store.balance(ref, day)).used_today == 0

    report = await say(rig, "/groupquota", ann, group)
    assert "2 credits a day, at most 1 a member" in report
    assert "telegram:1001: 1" in report and "telegram:1002: 1" in report
    assert len(member_checks(rig)) == 2  # asked for /groupquota only, never for /video
    assert len(rig.creates()) == 2  # the refused jobs never reached the vendor

    assert "removed" in await say(rig, "/groupquota off", ann, group)
    assert "Not enough credits" in await say(rig, "/video a fox", bob, group)


async def test_the_creator_may_and_private_chats_are_told_what_it_is_for(
    make_rig: RigFactory,
) -> None:
    rig = await make_rig()
    tg = rig.tg
    group = tg.group_chat(-1006)
    tg.set_status(group, rig.ann, "creator")
    assert "7 credits a day" in await say(rig, "/groupquota 7", rig.ann, group)
    private = tg.private_chat(rig.ann)
    assert "is for groups" in await say(rig, "/groupquota 7", rig.ann, private)
    boss = tg.user(ADMIN_ID, name="Boss")  # a bot admin, a plain member there
    assert "3 credits a day" in await say(rig, "/groupquota 3", boss, group)
    assert member_checks(rig, boss) == []
    assert "Usage: /groupquota 50" in await say(rig, "/groupquota lots", rig.ann, group)


async def test_group_administrators_find_it_in_their_menu(make_rig: RigFactory) -> None:
    rig = await make_rig()
    menus = [
        c.params
        for c in rig.tg.calls_of("setMyCommands")
        if c.params.get("scope") == {"type": "all_chat_administrators"}
    ]
    assert {m.get("language_code") for m in menus} == {None, "zh"}
    for menu in menus:
        names = [c["command"] for c in menu["commands"]]
        assert names[0] == "video" and names[-1] == "groupquota" and "grant" not in names
    everyone = [c.params for c in rig.tg.calls_of("setMyCommands") if "scope" not in c.params]
    assert all("groupquota" not in str(m["commands"]) for m in everyone)


async def test_when_telegram_cannot_say_the_user_is_no_admin(make_rig: RigFactory) -> None:
    rig = await make_rig()
    group = rig.tg.group_chat(-1007)
    rig.tg.set_status(group, rig.ann, "administrator")
    rig.tg.fail_next("getChatMember", 400, "Bad Request: chat not found")
    assert "Only this chat's admins" in await say(rig, "/groupquota 4", rig.ann, group)
    assert "4 credits a day" in await say(rig, "/groupquota 4", rig.ann, group)  # not cached
