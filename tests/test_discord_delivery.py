"""Delivering the video: upload limits, the vendor link, the 15-minute token, Discord errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.discord.chat import DiscordChat
from bot.chat import StoredChat
from bot.events import DeliveryError
from bot.models import Job, JobRequest, JobState, Mode, UserRef
from bot.service import utc_day
from bot.storage.base import JobPatch
from bot.vendors.local import LocalVendor
from bot.vendors.runway import RunwayClient
from tests.discord_emulator import APP_ID, CHANNEL_ID, GUILD_ID, USER_ID, Harness
from tests.emulators.base import sample_mp4
from tests.emulators.runway import RunwayEmulator

USER = UserRef("discord", str(USER_ID))


async def test_video_over_the_upload_limit_is_posted_as_the_vendor_link(
    h: Harness, emu: RunwayEmulator
) -> None:
    payload = h.interact(h.fake.slash("video", prompt="a big one", size_limit=1000))
    job = await h.job()
    assert (await h.settled(job.id)).state is JobState.DELIVERED  # a link counts as delivered
    (post,) = await h.fake.wait_for("POST", rf"/webhooks/{APP_ID}/{payload['token']}$")
    assert post.files == []
    assert f"{emu.base_url}/files/" in post.content and "expires" in post.content
    assert post.content.startswith(f"<@{USER_ID}> ")
    assert post.custom_ids() == [
        f"videobot:again:{job.id}",
        f"videobot:extend:{job.id}",
        f"videobot:upscale:{job.id}",
    ]


async def test_video_over_the_limit_without_a_link_fails_and_is_refunded(tmp_path: Path) -> None:
    vendor = LocalVendor(work_dir=tmp_path / "local")
    async with Harness(tmp_path, [vendor], video_vendors=["local"]) as h:
        h.expect_errors = True  # the engine logs the permanent delivery failure
        payload = h.interact(h.fake.slash("video", prompt="a paper boat", size_limit=1000))
        job = await h.job()
        done = await h.settled(job.id, timeout=60)
        assert done.state is JobState.FAILED and done.error_code == "delivery"
        last = h.fake.find("PATCH", rf"/webhooks/{APP_ID}/{payload['token']}/messages/")[-1]
        assert "could not be sent here" in last.content
        assert not h.fake.find("POST", rf"/webhooks/{APP_ID}/")
        balance = await h.core.store.balance(USER, utc_day(h.core.engine.clock()))
        assert balance.used_today == 0


async def test_after_fifteen_minutes_edits_and_delivery_use_the_channel(h: Harness) -> None:
    payload = h.interact(h.fake.slash("video", prompt="[slow] a long render"))
    token = payload["token"]
    job = await h.job()
    await h.fake.wait_for("PATCH", rf"/webhooks/{APP_ID}/{token}/messages/")
    await h.adapter.sink.idle()
    h.offset = 15 * 60  # the interaction token is now too old to use
    h.fake.expire(token)
    webhook_edits = len(h.fake.find("PATCH", rf"/webhooks/{APP_ID}/{token}/"))
    await h.settled(job.id)

    status_id = DiscordChat.of(job.chat).message_id
    (post,) = await h.fake.wait_for("POST", rf"^/channels/{CHANNEL_ID}/messages$")
    assert post.content.startswith(f"<@{USER_ID}> 🎬 [slow] a long render")
    assert post.files and post.files[0][2][4:8] == b"ftyp"
    assert post.json["message_reference"]["message_id"] == status_id
    assert post.json["allowed_mentions"]["users"] == [USER_ID]
    assert not h.fake.find("POST", rf"/webhooks/{APP_ID}/{token}$")
    later = h.fake.find("PATCH", rf"^/channels/{CHANNEL_ID}/messages/{status_id}$")
    assert later and later[-1].content.endswith("✅ Done.")
    assert len(h.fake.find("PATCH", rf"/webhooks/{APP_ID}/{token}/")) == webhook_edits


async def test_a_rejected_interaction_token_falls_back_to_the_channel(h: Harness) -> None:
    payload = h.interact(h.fake.slash("video", prompt="a quick one"))
    job = await h.job()
    h.fake.expire(payload["token"])  # Discord says no before our 14-minute mark
    assert (await h.settled(job.id)).state is JobState.DELIVERED
    (post,) = await h.fake.wait_for("POST", rf"^/channels/{CHANNEL_ID}/messages$")
    assert post.files


async def _job(h: Harness, **chat: object) -> Job:
    base = {
        "channel_id": CHANNEL_ID,
        "guild_id": GUILD_ID,
        "message_id": 1,
        "filesize_limit": 10_000_000,
    }
    return Job(
        id="f" * 32,
        user=USER,
        state=JobState.DELIVERING,
        request=JobRequest("x", Mode.TEXT, duration=5),
        cost=1,
        chat=StoredChat({**base, **chat}),
    )


# discord.py itself retries 500/502/504 and 429; what reaches us is final for that attempt.
@pytest.mark.parametrize(
    ("status", "permanent"), [(403, True), (404, True), (400, True), (503, False)]
)
async def test_discord_errors_map_to_delivery_errors(
    h: Harness, tmp_path: Path, status: int, permanent: bool
) -> None:
    video = tmp_path / "v.mp4"
    video.write_bytes(sample_mp4())
    h.fake.fail_next("POST", rf"^/channels/{CHANNEL_ID}/messages$", status, code=50013)
    with pytest.raises(DeliveryError) as caught:
        await h.adapter.sink.deliver(await _job(h), video, "caption")
    assert caught.value.permanent is permanent
    await h.adapter.sink.deliver(await _job(h), video, "caption")  # the next try goes through


async def test_payload_too_large_falls_back_to_the_link(h: Harness, tmp_path: Path) -> None:
    video = tmp_path / "v.mp4"
    video.write_bytes(sample_mp4())
    job = await _job(h)
    job.result_url = "https://cdn.example/v.mp4"
    h.fake.fail_next("POST", rf"^/channels/{CHANNEL_ID}/messages$", 413, code=40005)
    await h.adapter.sink.deliver(job, video, "caption")
    posts = h.fake.find("POST", rf"^/channels/{CHANNEL_ID}/messages$")
    assert "https://cdn.example/v.mp4" in posts[-1].content and posts[-1].files == []


async def test_a_refund_notice_cut_off_by_a_stop_is_shown_after_the_restart(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    client = RunwayClient(api_key="test-key", base_url=emu.base_url)
    async with Harness(tmp_path, [client], video_vendors=["runway"]) as h:
        payload = h.interact(h.fake.slash("video", prompt="[moderate] something rude"))
        job = await h.job()
        assert (await h.settled(job.id)).state is JobState.FAILED
        await h.fake.wait_for("PATCH", rf"/webhooks/{APP_ID}/{payload['token']}/messages/")
        await h.adapter.sink.idle()
        assert await h.core.store.pending_notices(0) == []  # shown, so acknowledged
        # As if the process had died between the refund and the edit:
        text = "refused this content"
        await h.core.store.update(job.id, h.core.engine.clock(), JobPatch(notice=f"{text} (again)"))

    async with Harness(tmp_path, [client], video_vendors=["runway"]) as h:
        await h.fake.wait_for("PATCH", "/messages/", lambda c: f"{text} (again)" in c.content)
        await h.adapter.sink.idle()
        assert await h.core.store.pending_notices(0) == []
