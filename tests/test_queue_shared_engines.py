"""The queue two processes share on PostgreSQL, with two engines on one database as two
processes would be: each vendor's limit and MAX_JOBS_PER_USER hold across both, and a user
with one job waits behind no one's many."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from pathlib import Path

import pytest

from bot.bootstrap import Core, build_core
from bot.commands import read
from bot.models import JobState, UserRef
from bot.service import Incoming
from bot.vendors.runway import RunwayClient
from tests.emulators.runway import RunwayEmulator
from tests.helpers import settings_for, wait_until
from tests.test_core_engine import start

pytestmark = [
    pytest.mark.emulator(run_seconds=0.5),
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]


async def engine_on(url: str, work: Path, emu: RunwayEmulator) -> Core:
    settings = settings_for(
        work, database_url=url, video_vendors=["runway"], runway_max_concurrent=2,
        max_jobs_per_user=1, max_queued_per_user=10, video_poll_interval=0.1,
    )  # fmt: skip
    client = RunwayClient(api_key="test-key", base_url=emu.base_url)
    return await build_core(settings, vendors=[client], clock=time.time)


def most_at_once(spans: Iterable[tuple[float, float]]) -> int:
    edges = sorted((t, d) for a, b in spans for t, d in ((a, 1), (b, -1)))
    busy = most = 0
    for _, step in edges:
        busy += step
        most = max(most, busy)
    return most


async def test_limits_and_turns_hold_across_two_processes(
    database_url: str, tmp_path: Path, emu: RunwayEmulator
) -> None:
    one = await engine_on(database_url, tmp_path, emu)
    two = await engine_on(database_url, tmp_path, emu)
    try:
        await start(one)
        await start(two)
        many, few = UserRef("test", "many"), UserRef("test", "few")
        asks = [(one, many, f"/video many {n}") for n in range(4)] + [(two, few, "/video few")]
        for core, user, text in asks:
            reply = await core.service.handle(Incoming(user=user, command=read(text)))
            assert reply.job is not None, reply.text

        async def all_delivered() -> bool:
            jobs = await one.store.list_jobs()
            return len(jobs) == 5 and all(j.state is JobState.DELIVERED for j in jobs)

        await wait_until(all_delivered, timeout=30, step=0.1)
        tasks = sorted(emu.tasks.values(), key=lambda t: t.created)
        assert len(tasks) == 5  # each submitted once
        spans = [(t.created, t.done_at or t.created) for t in tasks]
        assert most_at_once(spans) <= 2  # the vendor's limit, over both processes
        mine = [(t.created, t.done_at or t.created) for t in tasks if "many" in t.prompt]
        assert most_at_once(mine) <= 1  # MAX_JOBS_PER_USER, over both processes
        # Turns: the user with one job went before the other's second.
        order = [t.prompt for t in tasks]
        assert order.index("few") <= 1
    finally:
        await asyncio.gather(one.aclose(), two.aclose())
