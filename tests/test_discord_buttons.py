"""The buttons: Cancel (requester or admin only) and ↻ Again, also after a restart."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import pytest

from adapters.discord import DiscordAdapter, DiscordSettings
from adapters.discord.chat import DiscordChat
from bot.models import JobState, Mode, UserRef
from tests.discord_emulator import ADMIN_ID, APP_ID, CHANNEL_ID, OTHER_ID, USER_ID, Harness
from tests.emulators.runway import RunwayEmulator
from tests.helpers import wait_until

USER = UserRef("discord", str(USER_ID))
pytestmark = pytest.mark.harness(admin_user_ids=[f"discord:{ADMIN_ID}"])


async def rendering(h: Harness, prompt: str = "[never] an endless render") -> tuple[str, int]:
    """A job that keeps rendering, and the id of its status message (with the Cancel button)."""
    payload = h.interact(h.fake.slash("video", prompt=prompt))
    job = await h.job()
    await h.fake.wait_for(
        "PATCH",
        rf"/webhooks/{APP_ID}/{payload['token']}/messages/",
        lambda c: c.custom_ids() == [f"videobot:cancel:{job.id}"],
    )
    status_id = DiscordChat.of(job.chat).message_id
    assert status_id is not None
    return job.id, status_id


async def test_cancel_by_a_stranger_is_refused(h: Harness) -> None:
    job_id, status_id = await rendering(h)
    click = h.interact(h.fake.click(status_id, f"videobot:cancel:{job_id}", user_id=OTHER_ID))
    (answer,) = await h.fake.wait_for("POST", rf"/interactions/{click['id']}/.+/callback")
    assert answer.json["type"] == 4 and answer.json["data"]["flags"] == 64  # ephemeral
    assert "I can't find a video" in answer.json["data"]["content"]  # as for no such job
    job = await h.core.store.get_job(job_id)
    assert job is not None and job.state is JobState.RUNNING


async def test_cancel_by_the_requester_refunds_and_clears_the_button(h: Harness) -> None:
    job_id, status_id = await rendering(h)
    click = h.interact(h.fake.click(status_id, f"videobot:cancel:{job_id}"))
    (answer,) = await h.fake.wait_for("POST", rf"/interactions/{click['id']}/.+/callback")
    assert "Cancelled" in answer.json["data"]["content"]
    done = await h.settled(job_id)
    assert done.state is JobState.CANCELLED
    status = h.fake.messages[status_id]
    assert "🛑 Cancelled. Your 1 credit(s) were refunded." in status["content"]
    assert status["components"] == []


async def test_an_admin_may_cancel_anyones_job(h: Harness) -> None:
    job_id, status_id = await rendering(h)
    h.interact(h.fake.click(status_id, f"videobot:cancel:{job_id}", user_id=ADMIN_ID))
    assert (await h.settled(job_id)).state is JobState.CANCELLED


async def test_again_works_after_a_restart(h: Harness) -> None:
    payload = h.interact(h.fake.slash("video", prompt="a paper boat", seed=7))
    first = await h.job()
    await h.settled(first.id)
    await h.fake.wait_for("POST", rf"/webhooks/{APP_ID}/{payload['token']}$")
    result_id = max(h.fake.messages)  # the video message the bot just posted
    assert h.fake.messages[result_id]["components"][0]["components"][0]["custom_id"] == (
        f"videobot:again:{first.id}"
    )

    # A new process: a new bot on the same database; nothing of the old bot is in memory.
    await h.adapter.stop()
    settings = DiscordSettings(_env_file=None)
    h.adapter = DiscordAdapter(
        h.core, settings, gateway=False, clock=h.clock, progress_interval=0.05,
        media_hosts=frozenset({"127.0.0.1"}),
    )  # fmt: skip
    await h.adapter.start()

    click = h.interact(h.fake.click(result_id, f"videobot:again:{first.id}", user_id=OTHER_ID))
    (defer,) = await h.fake.wait_for("POST", rf"/interactions/{click['id']}/.+/callback")
    assert defer.json["type"] == 5
    other = UserRef("discord", str(OTHER_ID))

    async def started() -> bool:
        return bool(await h.core.store.user_jobs(other, limit=1))

    await wait_until(started)
    (again,) = await h.core.store.user_jobs(other, limit=1)
    assert again.prompt == "a paper boat" and again.request.seed != 7
    assert (await h.settled(again.id)).state is JobState.DELIVERED
    (video,) = await h.fake.wait_for("POST", rf"/webhooks/{APP_ID}/{click['token']}$")
    assert video.content.startswith(f"<@{OTHER_ID}> ")  # the clicker is the requester now


async def test_upscale_button_runs_runways_upscale_as_a_new_job(
    h: Harness, emu: RunwayEmulator
) -> None:
    payload = h.interact(h.fake.slash("video", prompt="a paper boat"))
    first = await h.job()
    await h.settled(first.id)
    await h.fake.wait_for("POST", rf"/webhooks/{APP_ID}/{payload['token']}$")
    result_id = max(h.fake.messages)
    buttons = h.fake.messages[result_id]["components"][0]["components"]
    assert [b["custom_id"] for b in buttons] == [
        f"videobot:again:{first.id}",
        f"videobot:extend:{first.id}",
        f"videobot:upscale:{first.id}",
    ]
    assert buttons[2]["label"] == "⤴ Upscale"

    click = h.interact(h.fake.click(result_id, f"videobot:upscale:{first.id}"))
    (defer,) = await h.fake.wait_for("POST", rf"/interactions/{click['id']}/.+/callback")
    assert defer.json["type"] == 5

    async def upscaling() -> bool:
        return len(await h.core.store.user_jobs(USER, limit=5)) == 2

    await wait_until(upscaling)
    upscale = (await h.core.store.user_jobs(USER, limit=1))[0]
    assert upscale.request.mode is Mode.UPSCALE
    assert (await h.settled(upscale.id)).state is JobState.DELIVERED
    await h.fake.wait_for("POST", rf"/webhooks/{APP_ID}/{click['token']}$")
    assert h.fake.messages[max(h.fake.messages)]["components"] == []  # nothing under it
    (body,) = [r["json"] for r in emu.log if r["path"] == "/v1/video_upscale"]
    done = await h.core.store.get_job(first.id)
    assert done is not None and body["videoUri"] == done.result_url
    charges = [e.amount for e in await h.core.store.ledger() if e.kind == "charge"]
    assert charges == [1, 1]


async def test_upscale_as_a_slash_command_and_typed_with_the_prefix(
    h: Harness, emu: RunwayEmulator
) -> None:
    h.interact(h.fake.slash("video", prompt="a paper boat"))
    first = await h.job()
    await h.settled(first.id)
    # a stranger in another channel is refused as if the job did not exist; nothing moves
    before = await h.core.store.ledger()
    elsewhere = CHANNEL_ID + 7
    stranger = h.interact(
        h.fake.slash("upscale", user_id=OTHER_ID, channel_id=elsewhere, job=first.id[:8])
    )
    await h.fake.wait_for(
        "PATCH",
        rf"/webhooks/{APP_ID}/{stranger['token']}/messages/",
        lambda c: "can't find a finished video" in (c.content or ""),
    )
    assert await h.core.store.ledger() == before
    # the owner's /upscale (no job: the latest video), then `!upscale ID`
    h.interact(h.fake.slash("upscale"))

    async def upscales(count: int) -> list[Any]:
        jobs = await h.core.store.user_jobs(USER, limit=10)
        return [j for j in jobs if j.request.mode is Mode.UPSCALE][:count]

    await wait_until(lambda: _has(upscales(1), 1))
    h.post(h.fake.message(f"!upscale {first.id[:8]}"))
    await wait_until(lambda: _has(upscales(2), 2))
    for job in await upscales(2):
        assert (await h.settled(job.id)).state is JobState.DELIVERED
    assert len([r for r in emu.log if r["path"] == "/v1/video_upscale"]) == 2


async def _has(found: Awaitable[list[Any]], count: int) -> bool:
    return len(await found) >= count
