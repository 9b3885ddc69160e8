"""Kept results through Discord: the real discord.py client against the Discord emulator,
the real core behind it talking to the Runway emulator. /show after a restart posts the
kept video with its buttons; a stranger is refused; a pruned one says so. A 14 MB result to
a guild with the 10 MiB limit arrives re-encoded under it, readable in full; GROUP_CLEANUP
deletes the status message once the video is out."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.models import JobState
from bot.storage.base import JobPatch
from bot.vendors.runway import RunwayClient
from tests.discord_emulator import APP_ID, OTHER_ID, Harness
from tests.emulators.runway import RunwayEmulator
from tests.helpers import frames_and_seconds, noise_mp4

TEN_MIB = 10 * 1024 * 1024


async def delivered(h: Harness, prompt: str = "a paper boat") -> str:
    h.interact(h.fake.slash("video", prompt=prompt))
    job = await h.job()
    assert (await h.settled(job.id)).state is JobState.DELIVERED
    return str(job.id)


async def test_show_after_a_restart_posts_the_kept_video_with_its_buttons(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    client = RunwayClient(api_key="test-key", base_url=emu.base_url)
    async with Harness(tmp_path, [client], video_vendors=["runway"]) as h:
        job_id = await delivered(h)

    async with Harness(tmp_path, [client], video_vendors=["runway"]) as h:
        payload = h.interact(h.fake.slash("show", job=job_id[:8]))
        token = payload["token"]
        (post,) = await h.fake.wait_for("POST", rf"/webhooks/{APP_ID}/{token}$")
        (name, _ctype, data) = post.files[0]
        assert data[4:8] == b"ftyp" and name.endswith(".mp4")
        assert "a paper boat" in post.content
        assert post.custom_ids() == [
            f"videobot:again:{job_id}",
            f"videobot:extend:{job_id}",
            f"videobot:upscale:{job_id}",
        ]
        edit = await h.fake.wait_for("PATCH", rf"/webhooks/{APP_ID}/{token}/messages/")
        assert job_id[:8] in edit[-1].content

        # a stranger learns nothing: the answer an unknown id gets
        other = h.interact(h.fake.slash("show", job=job_id[:8], user_id=OTHER_ID))
        refused = await h.fake.wait_for("PATCH", rf"/webhooks/{APP_ID}/{other['token']}/messages/")
        assert "can't find a video" in refused[-1].content
        assert not h.fake.find("POST", rf"/webhooks/{APP_ID}/{other['token']}$")

        # pruned, and the vendor's link expired: "no longer kept"
        job = await h.core.store.get_job(job_id)
        assert job is not None and job.result_path
        await asyncio.to_thread(Path(job.result_path).unlink)
        await h.core.store.update(job_id, h.clock(), JobPatch(result_url=None))
        gone = h.interact(h.fake.slash("show", job=job_id[:8]))
        said = await h.fake.wait_for("PATCH", rf"/webhooks/{APP_ID}/{gone['token']}/messages/")
        assert "no longer kept" in said[-1].content


async def test_a_14_mb_result_arrives_re_encoded_under_the_guilds_10_mib(
    h: Harness, emu: RunwayEmulator, tmp_path: Path
) -> None:
    emu.video = await asyncio.to_thread(noise_mp4, tmp_path / "noise.mp4")
    assert len(emu.video) > 13_000_000
    payload = h.interact(h.fake.slash("video", prompt="static on a screen", size_limit=TEN_MIB))
    job = await h.job()
    assert (await h.settled(job.id, timeout=120)).state is JobState.DELIVERED
    (post,) = h.fake.find("POST", rf"/webhooks/{APP_ID}/{payload['token']}$")
    (_name, _ctype, data) = post.files[0]
    assert len(data) < TEN_MIB
    frames, seconds = await asyncio.to_thread(frames_and_seconds, data, tmp_path)
    assert frames == 125 and abs(seconds - 5.0) < 0.1  # every frame of the original
    assert "compressed to fit" in post.content and f"/show {job.short_id}" in post.content
    kept = await h.core.store.get_job(job.id)
    assert kept is not None and kept.result_path
    kept_size = (await asyncio.to_thread(Path(kept.result_path).stat)).st_size
    assert kept_size == len(emu.video)  # the original stays


async def test_group_cleanup_deletes_the_status_once_the_video_is_out(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    client = RunwayClient(api_key="test-key", base_url=emu.base_url)
    async with Harness(tmp_path, [client], video_vendors=["runway"], group_cleanup=True) as h:
        payload = h.interact(h.fake.slash("video", prompt="a paper boat"))
        job = await h.job()
        assert (await h.settled(job.id)).state is JobState.DELIVERED
        token = payload["token"]
        await h.fake.wait_for("DELETE", rf"/webhooks/{APP_ID}/{token}/messages/")
        (post,) = h.fake.find("POST", rf"/webhooks/{APP_ID}/{token}$")
        assert post.files  # the video stays


async def test_the_jobs_menu_sends_a_finished_video_again(h: Harness) -> None:
    job_id = await delivered(h)
    jobs = h.interact(h.fake.slash("jobs"))
    await h.fake.wait_for("POST", rf"/interactions/\d+/{jobs['token']}/callback")
    listing = h.fake.messages[h.fake.tokens[jobs["token"]]["original"]]
    assert job_id[:8] in listing["content"]
    (row,) = listing["components"]
    (menu,) = row["components"]
    assert menu["custom_id"] == "videobot:show"
    assert [o["value"] for o in menu["options"]] == [job_id]
    choice = h.interact(h.fake.click(int(listing["id"]), "videobot:show", values=[job_id]))
    (post,) = await h.fake.wait_for("POST", rf"/webhooks/{APP_ID}/{choice['token']}$")
    assert post.files and post.files[0][2][4:8] == b"ftyp"


async def test_the_extend_button_posts_both_clips_joined(h: Harness, tmp_path: Path) -> None:
    first = await delivered(h)
    result_id = max(h.fake.messages)
    click = h.interact(h.fake.click(result_id, f"videobot:extend:{first}"))
    (post,) = await h.fake.wait_for("POST", rf"/webhooks/{APP_ID}/{click['token']}$", timeout=60)
    extension = await h.job()
    assert extension.request.extends == first
    (_name, _ctype, data) = post.files[0]
    _frames, seconds = await asyncio.to_thread(frames_and_seconds, data, tmp_path)
    assert abs(seconds - 2.0) < 0.3  # the 1 s original and its 1 s continuation
    assert f"videobot:extend:{extension.id}" in post.custom_ids()


async def test_prefix_extend_shows_a_status_and_posts_the_joined_video(h: Harness) -> None:
    first = await delivered(h)
    h.post(h.fake.message(f"!extend {first[:8]} the boat sails on"))
    extension = await h.job(timeout=20)
    while extension.id == first:
        await asyncio.sleep(0.05)
        extension = await h.job()
    assert extension.request.extends == first and extension.prompt == "the boat sails on"
    assert (await h.settled(extension.id, timeout=60)).state is JobState.DELIVERED
    posts = h.fake.find("POST", r"/channels/\d+/messages$")
    assert posts[0].content == "⏳"  # the status, then edited as the job moves
    assert any(p.files and f"videobot:extend:{extension.id}" in p.custom_ids() for p in posts)


async def test_prefix_show_posts_the_kept_video_in_the_channel(h: Harness) -> None:
    job_id = await delivered(h)
    h.post(h.fake.message(f"!show {job_id[:8]}"))
    (post,) = await h.fake.wait_for("POST", r"/channels/\d+/messages$", lambda c: bool(c.files))
    assert post.files[0][2][4:8] == b"ftyp" and "a paper boat" in post.content
    assert f"videobot:again:{job_id}" in post.custom_ids()
