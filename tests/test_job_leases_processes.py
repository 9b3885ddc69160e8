"""Several bot processes on one PostgreSQL database share the work: real OS processes,
one SIGKILLed while it holds every job at the vendor, and the others finish all of them
(those it held and those waiting in the shared line), each submitted to the vendor once,
delivered once and charged once."""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.models import ACTIVE_STATES, JobState
from bot.storage import open_store
from tests.emulators.runway import RunwayEmulator
from tests.helpers import wait_until
from tests.test_core_engine import creates

ROOT = Path(__file__).resolve().parents[1]
JOBS = 12

pytestmark = [
    pytest.mark.emulator(run_seconds=6.0),
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]


async def spawn(url: str, emu: RunwayEmulator, work: Path, jobs: int) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.lease_child", url, emu.base_url, str(work), str(jobs),
        cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def said(child: asyncio.subprocess.Process) -> str:
    assert child.stdout is not None
    return (await asyncio.wait_for(child.stdout.readline(), 60)).decode().strip()


async def test_the_jobs_of_a_sigkilled_process_are_finished_by_the_others(
    database_url: str, tmp_path: Path, emu: RunwayEmulator
) -> None:
    store = await open_store(database_url)
    children = []
    try:
        first = await spawn(database_url, emu, tmp_path, JOBS)
        children.append(first)
        killed = (await said(first)).removeprefix("READY ")
        assert await said(first) == "SENT"

        async def at_the_vendor_there_and_the_rest_in_line() -> bool:
            holders = [(h.owner, h.jobs) for h in await store.lease_holders()]
            states = Counter(j.state for j in await store.list_jobs())
            # The vendor takes 10 at a time: 2 wait in the line every process shares.
            return holders == [(killed, 10)] and states == {
                JobState.RUNNING: 10,
                JobState.QUEUED: 2,
            }

        await wait_until(at_the_vendor_there_and_the_rest_in_line, timeout=20)
        for _ in range(2):
            children.append(await spawn(database_url, emu, tmp_path, 0))
            assert (await said(children[-1])).startswith("READY ")
        first.kill()  # SIGKILL: its leases are never given up, they run out
        await first.wait()

        async def all_delivered() -> bool:
            return len(await store.list_jobs((JobState.DELIVERED,))) == JOBS

        await wait_until(all_delivered, timeout=60, step=0.2)
        assert await store.list_jobs(ACTIVE_STATES) == []
        assert creates(emu) == JOBS  # the others polled the running tasks, never resubmitted
        ledger = Counter((e.job_id, e.kind) for e in await store.ledger())
        jobs = {j.id for j in await store.list_jobs()}
        assert ledger == Counter({(j, k): 1 for j in jobs for k in ("reserve", "charge")})
        files = await asyncio.to_thread(lambda: list(tmp_path.glob("delivered-*.txt")))
        delivered = [line for f in files for line in f.read_text().split()]
        assert sorted(delivered) == sorted(jobs)  # each once, by the processes left
    finally:
        for child in children:
            if child.returncode is None:
                child.kill()
                await child.wait()
        await store.close()
