"""/video end to end: real discord.py objects, the fake Discord REST server, the real core
and the Runway emulator over HTTP."""

from __future__ import annotations

from pathlib import Path

from adapters.discord.chat import DiscordChat
from bot.models import JobState, UserRef
from bot.service import utc_day
from bot.vendors.runway import RunwayClient
from tests.discord_emulator import APP_ID, CHANNEL_ID, USER_ID, Harness, Upload
from tests.emulators.runway import RunwayEmulator
from tests.helpers import image_bytes

USER = UserRef("discord", str(USER_ID))


def runway(emu: RunwayEmulator) -> RunwayClient:
    return RunwayClient(api_key="test-key", base_url=emu.base_url)


async def test_video_text_only_is_deferred_tracked_and_delivered(h: Harness) -> None:
    payload = h.interact(h.fake.slash("video", prompt="a lighthouse in a storm", duration=5))
    token = payload["token"]
    (defer,) = await h.fake.wait_for("POST", rf"/interactions/{payload['id']}/.+/callback")
    assert defer.json["type"] == 5  # deferred at once
    job = await h.job()
    chat = DiscordChat.of(job.chat)  # as stored, read back
    assert chat.token == token and chat.channel_id == CHANNEL_ID
    assert chat.message_id  # the "thinking" message, from the callback response
    done = await h.settled(job.id)
    assert done.state is JobState.DELIVERED

    (post,) = await h.fake.wait_for("POST", rf"/webhooks/{APP_ID}/{token}$")
    assert post.content.startswith(f"<@{USER_ID}> 🎬 a lighthouse in a storm")
    assert post.json["allowed_mentions"] == {"parse": [], "users": [USER_ID]}
    ((name, _type, data),) = post.files
    assert name.endswith(".mp4") and data[4:8] == b"ftyp"
    assert post.custom_ids() == [
        f"videobot:again:{job.id}",
        f"videobot:extend:{job.id}",
        f"videobot:upscale:{job.id}",
    ]

    edits = h.fake.find("PATCH", rf"/webhooks/{APP_ID}/{token}/messages/")
    assert "On it" in edits[0].content  # the core's accepted text heads the status message
    assert edits[0].custom_ids() == [f"videobot:cancel:{job.id}"]
    assert edits[-1].content.endswith("✅ Done.") and edits[-1].components == []
    balance = await h.core.store.balance(USER, utc_day(h.core.engine.clock()))
    assert balance.used_today == 1


def creates(emu: RunwayEmulator) -> list[dict[str, object]]:
    return [r["json"] for r in emu.log if r["method"] == "POST" and r["path"].startswith("/v1/")]


async def test_video_with_image_and_end_image_sends_both_as_data_uris(
    h: Harness, emu: RunwayEmulator
) -> None:
    first = Upload("first.jpg", image_bytes(color="red"), "image/jpeg")
    last = Upload("last.png", image_bytes(fmt="PNG", color="blue"), "image/png")
    payload = h.interact(
        h.fake.slash("video", prompt="day turns to night", image=first, end_image=last)
    )
    job = await h.job()
    assert (await h.settled(job.id)).state is JobState.DELIVERED
    assert h.fake.find("GET", r"^/cdn/")  # the bot downloaded both attachments itself
    (body,) = creates(emu)
    frames = body["promptImage"]
    assert isinstance(frames, list) and [f["position"] for f in frames] == ["first", "last"]
    assert all(f["uri"].startswith("data:image/jpeg;base64,") for f in frames)
    assert body["model"] == "veo3.1_fast"  # Runway's first+last model today
    assert not any("/cdn/" in str(r.get("json")) for r in emu.log)  # no Discord URL leaks
    await h.fake.wait_for("POST", rf"/webhooks/{APP_ID}/{payload['token']}$")


async def test_options_become_the_core_syntax(h: Harness, emu: RunwayEmulator) -> None:
    h.interact(
        h.fake.slash(
            "video", prompt="a fox in snow", duration=10, ratio="9:16", seed=42, model="gen4.5"
        )
    )
    job = await h.job()
    await h.settled(job.id)
    assert job.request.duration == 10 and job.request.ratio == "9:16"
    assert job.request.seed == 42 and job.request.model_shown == "gen4.5"
    (body,) = creates(emu)
    assert body["ratio"] == "720:1280" and body["seed"] == 42


async def test_the_model_option_fields_reach_the_body_as_typed(
    h: Harness, emu: RunwayEmulator
) -> None:
    h.interact(
        h.fake.slash(
            "video",
            prompt="a choir",
            model="veo3.1",
            duration=8,
            audio=False,
            negative='  "--seed 5", logos ',  # a form field is never parsed for options
        )
    )
    job = await h.job()
    await h.settled(job.id)
    (body,) = creates(emu)
    assert body["audio"] is False and body["negativePrompt"] == '"--seed 5", logos'
    assert "contentModeration" not in body


async def test_a_moderation_choice_on_a_model_without_it_is_refused_unpaid(h: Harness) -> None:
    payload = h.interact(
        h.fake.slash("video", prompt="a crowd", model="veo3.1_fast", moderation="low")
    )
    (edit,) = await h.fake.wait_for("PATCH", rf"/webhooks/{APP_ID}/{payload['token']}/")
    assert "Veo 3.1 Fast has no setting for --moderation" in edit.content
    assert "Gen-4.5 (gen4.5)" in edit.content
    assert await h.core.store.user_jobs(USER, limit=5) == []


async def test_refusal_from_the_core_is_shown_in_the_original_response(h: Harness) -> None:
    payload = h.interact(h.fake.slash("video", prompt="a cat", ratio="4:3", model="gen4.5"))
    (edit,) = await h.fake.wait_for("PATCH", rf"/webhooks/{APP_ID}/{payload['token']}/")
    assert "Gen-4.5 can't make 4:3 videos" in edit.content
    assert await h.core.store.user_jobs(USER, limit=5) == []


async def test_wrong_or_oversized_attachments_are_refused_before_download(h: Harness) -> None:
    text_file = Upload("notes.txt", b"hello", "text/plain")
    payload = h.interact(h.fake.slash("video", prompt="a cat", image=text_file))
    (edit,) = await h.fake.wait_for("PATCH", rf"/webhooks/{APP_ID}/{payload['token']}/")
    assert "isn't an image" in edit.content

    huge = Upload("big.png", image_bytes(fmt="PNG"), "image/png", size=30_000_000)
    payload = h.interact(h.fake.slash("video", prompt="a cat", image=huge))
    (edit,) = await h.fake.wait_for("PATCH", rf"/webhooks/{APP_ID}/{payload['token']}/")
    assert "too large (30.0 MB)" in edit.content
    assert not h.fake.find("GET", r"^/cdn/")  # neither file was downloaded
    assert await h.core.store.user_jobs(USER, limit=5) == []


async def test_replies_follow_the_interaction_locale(h: Harness) -> None:
    payload = h.interact(h.fake.slash("video", prompt="一只猫", locale="zh-CN"))
    job = await h.job()
    assert job.locale == "zh"
    await h.settled(job.id)
    edits = h.fake.find("PATCH", rf"/webhooks/{APP_ID}/{payload['token']}/messages/")
    assert edits[0].content.startswith("🎬 开始生成")
    assert edits[-1].content.endswith("✅ 完成。")
    (post,) = h.fake.find("POST", rf"/webhooks/{APP_ID}/{payload['token']}$")
    assert post.components[0]["components"][0]["label"] == "↻ 再来一次"


async def test_moderation_failure_is_refunded_and_shown(h: Harness) -> None:
    payload = h.interact(h.fake.slash("video", prompt="[moderate] something rude"))
    job = await h.job()
    done = await h.settled(job.id)
    assert done.state is JobState.FAILED and done.error_code == "moderated"
    last = h.fake.find("PATCH", rf"/webhooks/{APP_ID}/{payload['token']}/messages/")[-1]
    assert "refused this content" in last.content and "1 credit(s) were refunded" in last.content
    assert last.components == []  # no Cancel button on a failed job
    assert not h.fake.find("POST", rf"/webhooks/{APP_ID}/{payload['token']}$")  # no video
    balance = await h.core.store.balance(USER, utc_day(h.core.engine.clock()))
    assert balance.used_today == 0


async def test_quota_exhausted_is_refused_without_a_job(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    async with Harness(
        tmp_path, [runway(emu)], video_vendors=["runway"], quota_credits_per_day=1
    ) as h:
        payload = h.interact(h.fake.slash("video", prompt="a long one", duration=10))
        (edit,) = await h.fake.wait_for("PATCH", rf"/webhooks/{APP_ID}/{payload['token']}/")
        assert "Not enough credits: this video costs 2 and you have 1 left" in edit.content
        assert await h.core.store.user_jobs(USER, limit=5) == []
        assert creates(emu) == []


async def test_values_typed_past_the_suggestions_get_the_cores_answer(h: Harness) -> None:
    """Model, duration and ratio are suggestions; anything else typed there is explained."""
    payload = h.interact(h.fake.slash("video", prompt="a cat", duration=11))
    (edit,) = await h.fake.wait_for("PATCH", rf"/webhooks/{APP_ID}/{payload['token']}/")
    assert "“11” isn't one of them" in edit.content
    payload = h.interact(h.fake.slash("video", prompt="a cat", ratio="sideways"))
    (edit,) = await h.fake.wait_for("PATCH", rf"/webhooks/{APP_ID}/{payload['token']}/")
    assert "I don't know the ratio “sideways”" in edit.content
    assert await h.core.store.user_jobs(USER, limit=5) == []


async def test_a_banned_users_attachments_are_never_downloaded(h: Harness) -> None:
    await h.core.store.set_banned(USER, True, 0.0)
    photo = Upload("photo.jpg", image_bytes(color="red"), "image/jpeg")
    payload = h.interact(h.fake.slash("video", prompt="make it wave", image=photo))
    (edit,) = await h.fake.wait_for("PATCH", rf"/webhooks/{APP_ID}/{payload['token']}/")
    assert "can't make videos" in edit.content
    assert not h.fake.find("GET", r"^/cdn/")  # turned away before the photo was fetched
    assert await h.core.store.user_jobs(USER, limit=5) == []
