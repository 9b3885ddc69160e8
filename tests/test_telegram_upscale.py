"""⤴ Upscale through Telegram: the real PTB Application against the Bot API emulator, the
core behind it talking to the Runway emulator. The button sits next to Again under a
delivered video; pressing it (or typing /upscale) runs Runway's video_upscale on that
video's URL as a new job, charged once, refunded when Runway fails it, and refused before
any credit moves for a stranger or a video no longer kept."""

from __future__ import annotations

from typing import Any

import pytest

from bot import texts
from bot.models import JobState, Mode, UserRef
from bot.storage.base import JobPatch
from tests.helpers import finished, wait_until
from tests.test_telegram_e2e import Rig, RigFactory, make_rig

__all__ = ["make_rig"]  # the fixture, shared with the other Telegram tests

pytestmark = pytest.mark.filterwarnings("ignore:.*`retry_after` will be of type")

UPSCALE = "magnific_video_upscaler_creative"


async def delivered(rig: Rig, chat: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    """Ann's first video, delivered: its job id and the video message."""
    tg = rig.tg
    tg.push_message(tg.make_message("/video a paper boat", chat=chat))
    (video,) = await tg.wait_for("sendVideo")
    job = await rig.job()
    assert await finished(rig.core, job.id) is JobState.DELIVERED
    assert video.buttons == [f"again:{job.id}", f"extend:{job.id}", f"upscale:{job.id}"]
    message = tg.messages[(video.result["chat"]["id"], video.result["message_id"])]
    return job.id, message


async def ledger(rig: Rig) -> list[tuple[str, str | None, int]]:
    return [(e.kind, e.job_id, e.amount) for e in await rig.core.store.ledger()]


async def test_the_upscale_button_runs_a_new_job_delivered_and_charged_once(
    make_rig: RigFactory,
) -> None:
    rig = await make_rig(quota_costs={"*:per_second": 0.2, f"{UPSCALE}:per_second": 0.4})
    tg = rig.tg
    first, message = await delivered(rig)
    tg.press(f"upscale:{first}", user=rig.ann, message=message)
    await tg.wait_for("answerCallbackQuery")
    statuses = await tg.wait_for("sendMessage", 2, where=lambda c: c.reply_to)
    assert statuses[1].reply_to == message["message_id"]
    assert (
        UPSCALE in statuses[1].params["text"] and "Cost: 2 credit(s)" in statuses[1].params["text"]
    )

    body = await rig.create("/video_upscale")
    source = await rig.core.store.get_job(first)
    assert source is not None and body == {"model": UPSCALE, "videoUri": source.result_url}
    videos = await tg.wait_for("sendVideo", 2)
    upscale = await rig.job()
    assert upscale.request.mode is Mode.UPSCALE and upscale.id != first
    assert await finished(rig.core, upscale.id) is JobState.DELIVERED
    assert videos[1].buttons == []  # no Again nor Upscale under an upscaled video
    assert [(k, a) for k, j, a in await ledger(rig) if j == upscale.id] == [
        ("reserve", 2),
        ("charge", 2),
    ]
    assert await rig.used() == 3


async def test_a_failed_upscale_is_refunded_and_said_so(make_rig: RigFactory) -> None:
    rig = await make_rig()
    tg = rig.tg
    first, message = await delivered(rig)
    rig.vendor.outcome = "fail"
    tg.press(f"upscale:{first}", user=rig.ann, message=message)
    await rig.create("/video_upscale")
    upscale = await rig.job()
    assert await finished(rig.core, upscale.id) is JobState.FAILED
    assert [k for k, j, _ in await ledger(rig) if j == upscale.id] == ["reserve", "refund"]
    assert await rig.used() == 1
    refunded = "were refunded"
    await tg.wait_for("editMessageText", where=lambda c: refunded in c.params["text"])
    assert len(tg.calls_of("sendVideo")) == 1


async def test_a_stranger_elsewhere_gets_nothing_and_pays_nothing(make_rig: RigFactory) -> None:
    rig = await make_rig()
    tg = rig.tg
    first, _ = await delivered(rig)  # in Ann's private chat
    before = await ledger(rig)
    bob = tg.user(1003, name="Bob")
    own = tg.push_message(tg.make_message("hello", user=bob))
    tg.press(f"upscale:{first}", user=bob, message=own)
    (answer,) = await tg.wait_for("answerCallbackQuery")
    assert answer.params["show_alert"] is True
    assert "can't find a finished video" in answer.params["text"]
    tg.push_message(tg.make_message(f"/upscale {first[:8]}", user=bob))
    refusal = await tg.wait_for(
        "sendMessage", where=lambda c: "can't find a finished video" in c.params["text"]
    )
    assert refusal
    assert await ledger(rig) == before
    assert not rig.creates("/video_upscale")
    assert not await rig.core.store.user_jobs(UserRef("telegram", "1003"))


async def test_anyone_in_the_jobs_own_group_may_upscale_it(make_rig: RigFactory) -> None:
    rig = await make_rig()
    tg = rig.tg
    first, message = await delivered(rig, tg.group_chat())
    bob = tg.user(1003, name="Bob")
    tg.press(f"upscale:{first}", user=bob, message=message)
    await rig.create("/video_upscale")
    (bobs,) = await rig.core.store.user_jobs(UserRef("telegram", "1003"))
    assert bobs.request.mode is Mode.UPSCALE  # Bob pays for his own upscale
    assert await finished(rig.core, bobs.id) is JobState.DELIVERED
    assert await rig.used(1003) == 1


async def test_a_video_no_longer_kept_is_refused_before_any_credit_moves(
    make_rig: RigFactory,
) -> None:
    rig = await make_rig()
    tg = rig.tg
    first, message = await delivered(rig)
    # Runway's URL expires within a day or two, and the upload was not kept.
    await rig.core.store.update(first, 0.0, JobPatch(result_url=None))
    before = await ledger(rig)
    tg.push_message(tg.make_message(f"/upscale {first[:8]}"))
    gone = texts.t("en", "upscale_gone", id=first[:8])
    await tg.wait_for("sendMessage", where=lambda c: c.params["text"] == gone)
    tg.press(f"upscale:{first}", user=rig.ann, message=message)
    (answer,) = await tg.wait_for("answerCallbackQuery")
    assert answer.params["text"].startswith("The video of job")
    assert await ledger(rig) == before
    assert not rig.creates("/video_upscale")

    async def one_job() -> bool:
        return len(await rig.core.store.user_jobs(UserRef("telegram", "1001"))) == 1

    await wait_until(one_job)
