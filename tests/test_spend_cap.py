"""DAILY_SPEND_LIMIT against the Runway emulator: once the day's settled jobs cost the
limit, the next video is refused before any credit moves or any vendor is called, saying
when it resets, and the admins are told once (on SQLite and PostgreSQL)."""

from __future__ import annotations

from bot.bootstrap import Core
from bot.commands import read
from bot.models import JobState, UserRef
from bot.replies import utc_day
from bot.service import Incoming
from bot.spend import spend_total, usd
from tests.emulators.runway import RunwayEmulator
from tests.helpers import RecordingSink, finished
from tests.postgres import BACKENDS

USER = UserRef("test", "7")


@BACKENDS
async def test_the_cap_refuses_new_jobs_before_credits_move_and_tells_admins_once(
    core: Core, emu: RunwayEmulator
) -> None:
    core.settings.daily_spend_limit = 0.2  # less than one video costs
    core.settings.admin_user_ids[:] = ["telegram:1", "discord:2"]
    told: list[tuple[str, str]] = []

    async def send(user_id: str, text: str) -> None:
        told.append((user_id, text))

    core.notices.register("telegram", send)
    core.engine.subscribe("test", RecordingSink())
    await core.start()
    first = await core.service.handle(Incoming(user=USER, command=read("/video a lighthouse")))
    assert first.job is not None, first.text
    assert await finished(core, first.job.id) is JobState.DELIVERED
    day = utc_day(core.engine.clock())
    used = (await core.store.balance(USER, day)).used_today
    creates = emu.count("POST", "/v1/")

    for _ in range(2):
        refused = await core.service.handle(Incoming(user=USER, command=read("/video a storm")))
        assert refused.error and refused.job is None
        assert "spending limit" in refused.text and "midnight UTC" in refused.text
        assert "{reset}" not in refused.text
    assert (await core.store.balance(USER, day)).used_today == used  # no credit moved
    assert emu.count("POST", "/v1/") == creates  # no vendor called
    assert len(await core.store.user_jobs(USER)) == 1
    assert [who for who, _ in told] == ["1"]  # once, to the admin whose adapter can be reached
    spent = await spend_total(core.store, 0.0)
    assert f"${usd(spent)} reached DAILY_SPEND_LIMIT $0.20" in told[0][1]


@BACKENDS
async def test_no_cap_no_refusal(core: Core, emu: RunwayEmulator) -> None:
    core.engine.subscribe("test", RecordingSink())
    await core.start()
    for prompt in ("/video one", "/video two"):
        reply = await core.service.handle(Incoming(user=USER, command=read(prompt)))
        assert reply.job is not None, reply.text
        assert await finished(core, reply.job.id) is JobState.DELIVERED
