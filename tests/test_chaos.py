"""The chaos run, short: 30 jobs, 6 Stars payments, 2 SIGKILLs, every fault kind but the 30 s
timeouts.

The full run is `python -m bench.chaos` (200 jobs, 5 kills); this one runs in CI. It starts
the real bot process with the Telegram adapter against the Bot API emulator and two vendor
emulators, and fails if any reconciliation line that must be 0 is not.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # bench/ is a folder of scripts, not an installed package
    sys.path.insert(0, str(ROOT))

from bench.chaos import ChaosConfig, run_chaos  # noqa: E402


async def test_short_chaos_run_reconciles(tmp_path: Path) -> None:
    cfg = ChaosConfig(
        jobs=30,
        users=10,
        kills=2,
        seed=7,
        spread=12.0,
        task_min=1.0,
        task_max=4.0,
        job_timeout=12.0,
        poll_interval=0.5,
        slow_faults=False,
        time_limit=100.0,
        purchases=6,
        workdir=tmp_path,
    )
    report = await run_chaos(cfg)
    report.print()
    assert report.ok, [(line.name, line.value) for line in report.lines if not line.ok]
    assert report.value("jobs created") >= 20  # most commands survived the kills
    assert report.value("jobs delivered exactly once (charged)") >= 10
    assert report.faults["SIGKILL + restart"] == 2
    assert report.value("Stars payments made") >= 3  # most buyers paid despite the kills
