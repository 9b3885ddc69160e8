"""Runway's generations a day per model (`maxDailyGenerations` in GET /v1/organization, its
usage in `usage.models`), over real HTTP against the Runway emulator: once a model's are
used up, routing skips Runway for it until the UTC day turns, and its jobs go to another
vendor or wait in line for the reset instead of failing."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.bootstrap import Core
from bot.commands import read
from bot.models import JobState, UserRef
from bot.routing.daily import DAY, DailyCounts
from bot.service import Incoming
from tests.emulators.runway import RunwayEmulator
from tests.helpers import wait_until
from tests.test_core_engine import _core, start
from tests.test_routing import creates, deliver
from tests.test_vendor_breakers import bots

pytestmark = pytest.mark.emulator(run_seconds=0.2)
A = read("/video a")


def test_the_count_starts_from_the_vendors_and_again_each_utc_day() -> None:
    now = [10 * DAY + 100.0]
    daily = DailyCounts(lambda: now[0])
    daily.learn("runway", {"gen4.5": 2})
    assert not daily.used_up("runway", "gen4.5", 3) and not daily.used_up("runway", "veo3", 1)
    daily.sent_one("runway", "gen4.5")
    assert daily.used_up("runway", "gen4.5", 3) and not daily.used_up("runway", "gen4.5", None)
    daily.refused("runway", "gen4.5")  # nothing was created: the generation is not spent
    assert not daily.used_up("runway", "gen4.5", 3)
    assert daily.resets_at() == 11 * DAY
    now[0] = 11 * DAY
    daily.sent_one("runway", "gen4.5")
    assert not daily.used_up("runway", "gen4.5", 2) and daily.used_up("runway", "gen4.5", 1)


async def states(core: Core, ids: list[str]) -> list[JobState | None]:
    return [j.state if (j := await core.store.get_job(i)) else None for i in ids]


async def test_jobs_wait_for_the_next_day_when_the_only_vendor_is_used_up(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    emu.tier_models = {"gen4.5": {"maxConcurrentGenerations": 5, "maxDailyGenerations": 2}}
    emu.daily_used = {"gen4.5": 1}  # one generation went elsewhere today
    core = await _core(tmp_path, emu)
    try:
        await start(core)
        ids = []
        for i in range(3):
            reply = await core.service.handle(Incoming(user=UserRef("test", str(i)), command=A))
            assert reply.job is not None
            ids.append(reply.job.id)

        async def first_delivered() -> bool:
            return (await states(core, ids))[0] is JobState.DELIVERED

        await wait_until(first_delivered, timeout=30, step=0.02)
        assert await states(core, ids) == [JobState.DELIVERED, JobState.QUEUED, JobState.QUEUED]
        assert emu.daily_used == {"gen4.5": 2}  # runway was never asked beyond its limit
        waiting = core.engine.standings.of(ids[1])
        assert waiting is not None
        assert waiting.eta >= core.engine.queue.daily.resets_at() - time.time() - 1

        tomorrow = time.time() + DAY  # the UTC day turns, at the bot and at Runway
        core.engine.queue.daily.clock = lambda: tomorrow
        emu.daily_used.clear()
        core.engine.queue.poke()

        async def all_delivered() -> bool:
            return all(s is JobState.DELIVERED for s in await states(core, ids))

        await wait_until(all_delivered, timeout=30, step=0.02)
        assert emu.daily_used == {"gen4.5": 2}
    finally:
        await core.aclose()


async def test_a_used_up_model_goes_to_the_next_vendor(tmp_path: Path) -> None:
    tier = {"gen4_turbo": {"maxConcurrentGenerations": 5, "maxDailyGenerations": 1}}
    url = f"sqlite:///{tmp_path / 'videobot.db'}"
    async with bots(tmp_path, url, 1, tier) as ([core], _, runway, gptge):
        assert await deliver(core, "/video one") == "runway"
        assert list(
            await asyncio.gather(deliver(core, "/video two"), deliver(core, "/video three"))
        ) == [
            "gptge",
            "gptge",
        ]
        assert (creates(runway), creates(gptge)) == (1, 2)


async def test_the_vendors_own_daily_limit_answer_keeps_the_job_waiting(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    emu.tier_models = {"gen4.5": {"maxConcurrentGenerations": 5, "maxDailyGenerations": 2}}
    core = await _core(tmp_path, emu)
    try:
        await start(core)
        emu.daily_used = {"gen4.5": 2}  # another app on the account used the day's two
        reply = await core.service.handle(Incoming(user=UserRef("test", "1"), command=A))
        assert reply.job is not None
        ids = [reply.job.id]

        async def refused() -> bool:  # Runway's 429, and the job back in line
            used_up = core.engine.queue.used_up("runway", "gen4.5")
            return used_up and await states(core, ids) == [JobState.QUEUED]

        await wait_until(refused, timeout=30, step=0.02)
        assert creates(emu) == 1  # asked once: no retries in seconds of a daily limit
        tomorrow = time.time() + DAY
        core.engine.queue.daily.clock = lambda: tomorrow
        emu.daily_used.clear()
        core.engine.queue.poke()

        async def delivered() -> bool:
            return await states(core, ids) == [JobState.DELIVERED]

        await wait_until(delivered, timeout=30, step=0.02)
        assert creates(emu) == 2
    finally:
        await core.aclose()
