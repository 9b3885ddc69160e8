"""A bot SIGKILLed while three of a user's jobs wait in its queue loses none of them: a
real process is killed, a new core on the same SQLite file delivers all five, and each was
submitted to the vendor exactly once."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

import pytest

from bot.models import JobState
from tests.emulators.runway import RunwayEmulator
from tests.helpers import wait_until
from tests.test_core_engine import _core, creates, start

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.emulator(run_seconds=3.0)


def states(db: Path) -> dict[str, int]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT state, COUNT(*) FROM jobs GROUP BY state").fetchall()
    return dict(rows)


async def test_a_sigkill_while_three_wait_loses_none(tmp_path: Path, emu: RunwayEmulator) -> None:
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.queue_child", str(tmp_path), emu.base_url,
        cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        line = await asyncio.wait_for(child.stdout.readline(), 60)
        assert line.strip() == b"SENT"
        db = tmp_path / "videobot.db"
        await wait_until(lambda: states(db) == {"running": 2, "queued": 3}, timeout=20)
    finally:
        child.kill()  # SIGKILL: no shutdown code runs
        await child.wait()
    assert creates(emu) == 2
    core = await _core(tmp_path, emu, max_jobs_per_user=2, video_job_timeout=60)
    try:
        sink = await start(core)

        async def all_delivered() -> bool:
            return states(db) == {JobState.DELIVERED.value: 5}

        await wait_until(all_delivered, timeout=30)
        assert creates(emu) == 5  # the two running were polled, not submitted again
        assert sorted(t.prompt for t in emu.tasks.values()) == [f"fox {i}" for i in range(5)]
        assert len(sink.delivered) == 5
        ledger = [(e.kind, e.amount) for e in await core.store.ledger()]
        assert sorted(ledger) == [("charge", 1)] * 5 + [("reserve", 1)] * 5
    finally:
        await core.aclose()
