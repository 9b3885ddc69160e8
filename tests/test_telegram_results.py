"""Kept results through Telegram: the real PTB Application against the Bot API emulator,
the real core behind it talking to the Runway emulator. /show after a restart sends the
kept video again with its buttons; a stranger is refused; a pruned one says so. A result
over the upload limit (set low here) arrives re-encoded under it; GROUP_CLEANUP deletes a
group's status message once the video is out."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from adapters.telegram import TelegramSettings
from bot import texts
from bot.models import JobState
from bot.storage.base import JobPatch
from tests.helpers import finished, frames_and_seconds, noise_mp4
from tests.test_telegram_e2e import Rig, RigFactory, make_rig

__all__ = ["make_rig"]  # the fixture, shared with the other Telegram tests

pytestmark = pytest.mark.filterwarnings("ignore:.*`retry_after` will be of type")


async def delivered(rig: Rig, chat: dict[str, object] | None = None) -> str:
    rig.tg.push_message(rig.tg.make_message("/video a paper boat", chat=chat))
    await rig.tg.wait_for("sendVideo")
    job = await rig.job()
    assert await finished(rig.core, job.id) is JobState.DELIVERED
    return job.id


async def test_show_after_a_restart_sends_the_kept_video_with_its_buttons(
    make_rig: RigFactory,
) -> None:
    first = await make_rig()
    job_id = await delivered(first)
    await first.adapter.stop()
    await first.core.aclose()

    rig = await make_rig()  # a new process on the same data folder and database
    tg = rig.tg
    tg.push_message(tg.make_message(f"/show {job_id[:8]}"))
    (video,) = await tg.wait_for("sendVideo")
    assert video.files["video"].data[4:8] == b"ftyp"
    assert "a paper boat" in video.params["caption"]
    # Again; Upscale only where a vendor can still read the video (this emulator is new)
    assert video.buttons == [f"again:{job_id}", f"extend:{job_id}"]

    bob = tg.user(1003, name="Bob")
    tg.push_message(tg.make_message(f"/show {job_id[:8]}", user=bob))
    await tg.wait_for("sendMessage", where=lambda c: "can't find a video" in c.params["text"])

    job = await rig.core.store.get_job(job_id)
    assert job is not None and job.result_path
    await asyncio.to_thread(Path(job.result_path).unlink)  # pruned
    await rig.core.store.update(job_id, 0.0, JobPatch(result_url=None))  # link expired
    tg.push_message(tg.make_message(f"/show {job_id[:8]}"))
    await tg.wait_for("sendMessage", where=lambda c: "no longer kept" in c.params["text"])
    assert len(tg.calls_of("sendVideo")) == 1


async def test_a_result_over_the_upload_limit_arrives_re_encoded_under_it(
    make_rig: RigFactory, tmp_path: Path
) -> None:
    limit_mb = 1.0
    rig = await make_rig(tg_settings=TelegramSettings(_env_file=None, upload_limit_mb=limit_mb))
    original = await asyncio.to_thread(noise_mp4, tmp_path / "noise.mp4", "160x112", 2.0)
    assert len(original) > limit_mb * 1_000_000
    rig.vendor.video = original
    tg = rig.tg
    tg.push_message(tg.make_message("/video static on a screen"))
    (video,) = await tg.wait_for("sendVideo", timeout=120)
    data = video.files["video"].data
    assert len(data) <= limit_mb * 1_000_000
    frames, seconds = await asyncio.to_thread(frames_and_seconds, data, tmp_path)
    assert frames == 50 and abs(seconds - 2.0) < 0.1
    assert "compressed to fit" in video.params["caption"]


async def test_group_cleanup_deletes_the_status_message_and_keeps_the_video(
    make_rig: RigFactory,
) -> None:
    rig = await make_rig(group_cleanup=True)
    tg = rig.tg
    await delivered(rig, tg.group_chat())
    (deleted,) = await tg.wait_for("deleteMessage")
    (status,) = [c for c in tg.calls_of("sendMessage") if c.result]
    assert int(deleted.params["message_id"]) == status.result["message_id"]
    assert tg.calls_of("sendVideo")


async def test_the_extend_button_delivers_both_clips_joined_as_one_video(
    make_rig: RigFactory, tmp_path: Path
) -> None:
    rig = await make_rig()
    tg = rig.tg
    first = await delivered(rig)
    (video,) = tg.calls_of("sendVideo")
    message = tg.messages[(video.result["chat"]["id"], video.result["message_id"])]
    tg.press(f"extend:{first}", user=rig.ann, message=message)
    body = await rig.create("/image_to_video")
    assert body["promptText"] == "a paper boat"  # the same prompt, word for word
    assert str(body["promptImage"]).startswith("data:image/")  # its last frame
    videos = await tg.wait_for("sendVideo", 2, timeout=60)
    extension = await rig.job()
    assert extension.request.extends == first
    assert await finished(rig.core, extension.id) is JobState.DELIVERED
    _frames, seconds = await asyncio.to_thread(
        frames_and_seconds, videos[1].files["video"].data, tmp_path
    )
    assert abs(seconds - 2.0) < 0.3  # two 1 s clips, one video
    assert videos[1].buttons == [
        f"again:{extension.id}",
        f"extend:{extension.id}",
        f"upscale:{extension.id}",
    ]


async def test_group_cleanup_sends_a_refund_notice_anew_and_deletes_the_status(
    make_rig: RigFactory,
) -> None:
    rig = await make_rig(group_cleanup=True)
    tg = rig.tg
    tg.push_message(tg.make_message("/video [moderate] something dubious", chat=tg.group_chat()))
    refused = texts.t("en", "failed_moderated", cost=1)
    (notice,) = await tg.wait_for("sendMessage", where=lambda c: refused in c.params["text"])
    (deleted,) = await tg.wait_for("deleteMessage")
    (status,) = [c for c in tg.calls_of("sendMessage") if c is not notice and c.result]
    assert int(deleted.params["message_id"]) == status.result["message_id"]
    assert not [c for c in tg.calls_of("editMessageText") if refused in c.params["text"]]
    job = await rig.job()
    assert await finished(rig.core, job.id) is JobState.FAILED
    assert await rig.used() == 0
    assert await rig.core.store.pending_notices(0) == []  # shown, so acknowledged
