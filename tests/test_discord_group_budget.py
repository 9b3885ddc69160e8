"""Group budgets on Discord, end to end: real discord.py objects against the fake Discord,
the real core on Runway's emulator. A member with Manage Server (from the interaction's
member permissions) sets the server's pool, a plain member is refused, and the server's
jobs draw from the pool within each member's share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.models import UserRef
from bot.service import utc_day
from bot.vendors.runway import RunwayClient
from tests.discord_emulator import ADMIN_ID, APP_ID, CHANNEL_ID, OTHER_ID, USER_ID, Harness
from tests.emulators.runway import RunwayEmulator

MANAGE_GUILD = 0x20
THIRD_ID = 1400000000000000004


def harness(tmp_path: Path, emu: RunwayEmulator) -> Harness:
    client = RunwayClient(api_key="test-key", base_url=emu.base_url)
    return Harness(
        tmp_path, [client], video_vendors=["runway"], quota_credits_per_day=0,
        admin_user_ids=[f"discord:{ADMIN_ID}"],
    )  # fmt: skip


async def groupquota(h: Harness, setting: str | None, **kw: Any) -> str:
    """The private answer to /groupquota `setting`."""
    payload = h.interact(h.fake.slash("groupquota", setting=setting, **kw))
    (call,) = await h.fake.wait_for("POST", rf"/interactions/{payload['id']}/.+/callback")
    assert call.json["type"] == 4 and call.json["data"]["flags"] == 64  # ephemeral
    return str(call.json["data"]["content"])


async def video(h: Harness, prompt: str, user_id: int) -> str:
    """What the "thinking" message of /video became: the job's header or a refusal."""
    payload = h.interact(h.fake.slash("video", prompt=prompt, user_id=user_id))
    (edit, *_) = await h.fake.wait_for("PATCH", rf"/webhooks/{APP_ID}/{payload['token']}/")
    return edit.content


async def test_a_server_managers_pool_limits_the_servers_jobs(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    async with harness(tmp_path, emu) as h:
        refused = await groupquota(h, "5", user_id=OTHER_ID)
        assert "Only this chat's admins" in refused
        manager = {"user_id": USER_ID, "permissions": MANAGE_GUILD}
        assert "2 credits a day to share" in await groupquota(h, "2", **manager)
        assert "at most 1 a member" in await groupquota(h, "member 1", **manager)

        assert "from this chat's group budget" in await video(h, "a fox", USER_ID)
        share = await video(h, "a second fox", USER_ID)
        assert "used your share" in share and "resets in" in share
        assert "On it" in await video(h, "a bear", OTHER_ID)
        used_up = await video(h, "a cat", THIRD_ID)
        assert "group budget for today is used up" in used_up
        day = utc_day(h.core.engine.clock())
        for uid in (USER_ID, OTHER_ID, THIRD_ID):
            ref = UserRef("discord", str(uid))
            assert (await h.core.store.balance(ref, day)).used_today == 0

        report = await groupquota(h, None, **manager)
        assert "2 credits a day, at most 1 a member" in report and "left: 0" in report
        assert f"discord:{USER_ID}: 1" in report and f"discord:{OTHER_ID}: 1" in report
        assert "removed" in await groupquota(h, "off", user_id=ADMIN_ID)  # a bot admin
        for job in await h.core.store.list_jobs():
            await h.settled(job.id)


async def test_dms_explain_and_typed_commands_need_known_rights(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    async with harness(tmp_path, emu) as h:
        dm = await groupquota(h, "5", guild_id=None, permissions=MANAGE_GUILD)
        assert "is for groups" in dm
        assert "Usage: /groupquota 50" in await groupquota(h, "lots", permissions=MANAGE_GUILD)
        h.post(h.fake.message("!groupquota 4"))  # a message carries no member permissions
        (reply,) = await h.fake.wait_for("POST", rf"^/channels/{CHANNEL_ID}/messages$")
        assert "Only this chat's admins" in reply.content
        h.post(h.fake.message("!groupquota 4", author_id=ADMIN_ID))
        _, done = await h.fake.wait_for("POST", rf"^/channels/{CHANNEL_ID}/messages$", count=2)
        assert "4 credits a day" in done.content
