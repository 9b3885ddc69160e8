"""Where the bot serves, command registration (sync, localisations, suggestions), admin
commands and the quick commands; plus /act end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.discord import DiscordSettings
from adapters.discord.chat import DiscordChat
from bot.models import JobState, Mode, UserRef
from bot.vendors.local import LocalVendor
from bot.vendors.runway import RunwayClient
from tests.discord_emulator import (
    ADMIN_ID,
    APP_ID,
    CHANNEL_ID,
    DM_CHANNEL_ID,
    GUILD_ID,
    USER_ID,
    Harness,
    Upload,
)
from tests.emulators.base import sample_mp4
from tests.emulators.runway import RunwayEmulator
from tests.helpers import image_bytes

USER = UserRef("discord", str(USER_ID))
MANAGE_GUILD = 0x20


def harness(tmp_path: Path, emu: RunwayEmulator, **settings: Any) -> Harness:
    client = RunwayClient(api_key="test-key", base_url=emu.base_url)
    return Harness(
        tmp_path,
        [client],
        settings=DiscordSettings(_env_file=None, **settings),
        video_vendors=["runway"],
        admin_user_ids=[f"discord:{ADMIN_ID}"],
    )


async def answer(h: Harness, payload: dict[str, Any]) -> dict[str, Any]:
    (call,) = await h.fake.wait_for("POST", rf"/interactions/{payload['id']}/.+/callback")
    assert call.json["type"] == 4
    data: dict[str, Any] = call.json["data"]
    return data


def synced(h: Harness) -> dict[str, dict[str, Any]]:
    (put,) = h.fake.find("PUT", r"/commands$")
    return {c["name"]: c for c in put.json}


async def test_guild_not_allowed_is_refused_privately(tmp_path: Path, emu: RunwayEmulator) -> None:
    async with harness(tmp_path, emu, allowed_guilds=[GUILD_ID + 1]) as h:
        payload = h.interact(h.fake.slash("video", prompt="a cat"))
        data = await answer(h, payload)
        assert data["flags"] == 64 and data["content"] == "This bot isn't enabled in this chat."
        assert await h.core.store.user_jobs(USER, limit=5) == []
        payload = h.interact(h.fake.slash("quota", locale="zh-CN"))
        assert (await answer(h, payload))["content"] == "此机器人未在本聊天中启用。"


async def test_channels_can_be_restricted(tmp_path: Path, emu: RunwayEmulator) -> None:
    async with harness(tmp_path, emu, allowed_channels=[CHANNEL_ID]) as h:
        payload = h.interact(h.fake.slash("help", channel_id=CHANNEL_ID + 5))
        assert "isn't enabled" in (await answer(h, payload))["content"]
        payload = h.interact(h.fake.slash("help"))
        assert "/video" in (await answer(h, payload))["content"]


async def test_direct_messages_work_and_can_be_turned_off(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    async with harness(tmp_path, emu) as h:
        assert synced(h)["video"]["contexts"] == [0, 1]
        payload = h.interact(h.fake.slash("video", prompt="a dm video", guild_id=None))
        job = await h.job()
        chat = DiscordChat.of(job.chat)
        assert chat.guild_id is None and chat.channel_id == DM_CHANNEL_ID
        assert (await h.settled(job.id)).state is JobState.DELIVERED
        await h.fake.wait_for("POST", rf"/webhooks/{APP_ID}/{payload['token']}$")
    async with harness(tmp_path / "off", emu, allow_dms=False) as h:
        assert synced(h)["video"]["contexts"] == [0]  # Discord hides the commands in DMs
        payload = h.interact(h.fake.slash("video", prompt="a dm video", guild_id=None))
        assert "isn't enabled" in (await answer(h, payload))["content"]


async def test_commands_sync_globally_with_chinese_localisations_and_vendor_suggestions(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    async with harness(tmp_path, emu) as h:
        (put,) = h.fake.find("PUT", r"/commands$")
        assert put.path == f"/applications/{APP_ID}/commands"
        commands = synced(h)
        assert set(commands) >= {"video", "act", "quota", "jobs", "cancel", "help", "grant"}
        video = commands["video"]
        assert video["name_localizations"] == {"zh-CN": "视频", "zh-TW": "视频"}
        assert video["description_localizations"]["zh-CN"] == "用文字或照片生成视频"
        options = {o["name"]: o for o in video["options"]}
        assert options["prompt"]["name_localizations"]["zh-CN"] == "描述"
        for name in ("duration", "ratio", "model"):  # suggested from the configured vendors
            assert options[name]["autocomplete"] is True and "choices" not in options[name]
        assert options["seed"]["min_value"] == 0 and options["seed"]["max_value"] == 4294967295
        assert options["image"]["type"] == 11 and options["image"]["required"] is False
        menu = commands["Animate with video"]
        assert menu["type"] == 3 and menu["name_localizations"]["zh-CN"] == "生成动画视频"
        assert commands["grant"]["default_member_permissions"] is None


async def suggestions(
    h: Harness, option: str, typed: str, *, locale: str = "en-US", **filled: Any
) -> list[dict[str, Any]]:
    """What /video suggests for `option` while the user types `typed` into it."""
    payload = h.fake.slash("video", locale=locale, **filled, **{option: typed})
    payload["type"] = 4  # APPLICATION_COMMAND_AUTOCOMPLETE
    for given in payload["data"]["options"]:
        given["focused"] = given["name"] == option
    h.interact(payload)
    (call,) = await h.fake.wait_for("POST", rf"/interactions/{payload['id']}/.+/callback")
    assert call.json["type"] == 8
    choices: list[dict[str, Any]] = call.json["data"]["choices"]
    return choices


async def test_video_suggests_models_durations_and_ratios_of_the_vendors(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    async with harness(tmp_path, emu) as h:
        models = await suggestions(h, "model", "")
        assert len(models) == 25  # Discord's cap; typing narrows the list
        assert models[:4] == [
            {"name": "Gen-4.5 · 2–10 s", "value": "gen4.5"},
            {"name": "Gen-4 Turbo · 2–10 s", "value": "gen4_turbo"},
            {"name": "Veo 3.1 · 4, 6 or 8 s", "value": "veo3.1"},
            {"name": "Veo 3.1 Fast · 4, 6 or 8 s", "value": "veo3.1_fast"},
        ]
        assert [c["value"] for c in await suggestions(h, "model", "TURBO")] == [
            "gen4_turbo", "kling2.5_turbo_pro",
        ]  # fmt: skip
        assert await suggestions(h, "model", "kling 2.5", locale="zh-CN") == [
            {"name": "Kling 2.5 Turbo Pro · 5 或 10 秒", "value": "kling2.5_turbo_pro"}
        ]
        assert [c["value"] for c in await suggestions(h, "model", "veo")] == [
            "veo3.1", "veo3.1_fast",
        ]  # fmt: skip
        durations = await suggestions(h, "duration", "", locale="zh-CN")
        # gen4.5 takes 2-10 s, Veo 4, 6 or 8, Wan 3 up to 30: Discord's 25, typing narrows
        assert durations == [{"name": f"{d} 秒", "value": d} for d in range(2, 27)]
        long = await suggestions(h, "duration", "3")
        assert [c["value"] for c in long] == [3, 13, 23, 30]
        veo = await suggestions(h, "duration", "", model="Veo 3.1 Fast")
        assert [c["value"] for c in veo] == [4, 6, 8]
        ratios = [c["value"] for c in await suggestions(h, "ratio", "")]
        assert ratios == ["16:9", "9:16", "1:1", "4:3", "3:4", "21:9"]
        for_model = await suggestions(h, "ratio", "", model="veo3.1")
        assert [c["name"] for c in for_model] == ["16:9 landscape", "9:16 portrait"]
        # gen4.5 takes all six from a photo (16:9 and 9:16 only from text)
        assert len(await suggestions(h, "ratio", "", model="gen4.5")) == 6
        assert [c["value"] for c in await suggestions(h, "ratio", "9", locale="zh-CN")] == [
            "16:9", "9:16", "21:9",
        ]  # fmt: skip


async def test_video_offers_the_models_of_every_configured_vendor(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    runway = RunwayClient(api_key="test-key", base_url=emu.base_url)
    local = LocalVendor(work_dir=tmp_path / "local")
    async with Harness(tmp_path, [runway, local], video_vendors=["runway", "local"]) as h:
        assert await suggestions(h, "model", "loc") == [
            {"name": "Local preview · 5 or 10 s", "value": "local"}
        ]
        assert await suggestions(h, "model", "seedance 2 f") == [
            {"name": "Seedance 2 Fast · 4–15 s", "value": "seedance2_fast"}
        ]
        aleph = await suggestions(h, "model", "aleph")
        assert aleph == []  # video-to-video only: not a /video choice


async def test_help_lists_every_model_across_messages_discord_takes(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    async with harness(tmp_path, emu) as h:
        payload = h.interact(h.fake.slash("help"))
        first = (await answer(h, payload))["content"]
        (follow, *more) = await h.fake.wait_for("POST", rf"/webhooks/{APP_ID}/{payload['token']}$")
        parts = [first, follow.json["content"], *(m.json["content"] for m in more)]
        assert all(len(p) <= 2000 for p in parts)
        whole = "\n".join(parts)
        assert "/video" in first and "🎞 Models at runway:" in whole
        assert "• Veo 3.1 Fast (veo3.1_fast): text, photo, first+last · 4, 6 or 8 s" in whole
        assert "• H3 Max (h3_max)" in whole  # the last row arrives too


async def test_no_suggestions_where_the_bot_is_not_enabled(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    async with harness(tmp_path, emu, allowed_guilds=[GUILD_ID + 1]) as h:
        assert await suggestions(h, "model", "") == []


async def test_dev_guild_sync_and_no_act_without_a_vendor_for_it(tmp_path: Path) -> None:
    settings = DiscordSettings(_env_file=None, dev_guild=GUILD_ID)
    vendor = LocalVendor(work_dir=tmp_path / "local")
    async with Harness(tmp_path, [vendor], settings=settings, video_vendors=["local"]) as h:
        (put,) = h.fake.find("PUT", r"/commands$")
        assert put.path == f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands"
        names = {c["name"] for c in put.json}
        assert "video" in names and "act" not in names  # the local vendor has no act


async def test_act_sends_character_and_performance(tmp_path: Path, emu: RunwayEmulator) -> None:
    async with harness(tmp_path, emu) as h:
        character = Upload("me.jpg", image_bytes(size=(64, 64)), "image/jpeg")
        performance = Upload("dance.mp4", sample_mp4(), "video/mp4")
        h.interact(h.fake.slash("act", character=character, performance=performance, body=True))
        job = await h.job()
        assert job.request.mode == Mode.ACT and job.request.body_control is True
        assert (await h.settled(job.id)).state is JobState.DELIVERED
        (create,) = [r for r in emu.log if r["path"] == "/v1/character_performance"]
        assert create["json"]["character"]["uri"].startswith("data:image/jpeg;base64,")
        assert create["json"]["reference"]["uri"].startswith("data:video/mp4;base64,")


async def test_admin_commands_need_an_admin(tmp_path: Path, emu: RunwayEmulator) -> None:
    async with harness(tmp_path, emu) as h:
        payload = h.interact(h.fake.slash("grant", user=f"<@{USER_ID}>", credits=5))
        assert (await answer(h, payload))["content"] == "That command is for admins."
        payload = h.interact(
            h.fake.slash("grant", user=f"<@{USER_ID}>", credits=5, user_id=ADMIN_ID)
        )
        granted = (await answer(h, payload))["content"]
        assert granted == f"✅ discord:{USER_ID} now has 5 bonus credit(s)."
        payload = h.interact(h.fake.slash("stats", user_id=ADMIN_ID))
        assert (await answer(h, payload))["content"].startswith("📊 Today")


async def test_admin_commands_can_also_require_manage_server(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    async with harness(tmp_path, emu, admin_requires_manage_guild=True) as h:
        assert synced(h)["ban"]["default_member_permissions"] == MANAGE_GUILD
        payload = h.interact(h.fake.slash("ban", user="telegram:5", user_id=ADMIN_ID))
        assert "Manage Server" in (await answer(h, payload))["content"]
        payload = h.interact(
            h.fake.slash("ban", user="telegram:5", user_id=ADMIN_ID, permissions=MANAGE_GUILD)
        )
        assert (await answer(h, payload))["content"] == "✅ telegram:5 is banned."


async def test_quick_commands_answer_privately(tmp_path: Path, emu: RunwayEmulator) -> None:
    async with harness(tmp_path, emu) as h:
        h.interact(h.fake.slash("video", prompt="[never] forever"))
        job = await h.job()
        payload = h.interact(h.fake.slash("jobs"))
        data = await answer(h, payload)
        assert data["flags"] == 64 and job.short_id in data["content"]
        payload = h.interact(h.fake.slash("quota"))
        assert "9 of 10 credits left today" in (await answer(h, payload))["content"]
        payload = h.interact(h.fake.slash("cancel", job=job.short_id))
        assert "Cancelled" in (await answer(h, payload))["content"]
        assert (await h.settled(job.id)).state is JobState.CANCELLED
