"""Settings check: what the per-command look for a settings change costs the bot.

Before every command each process reads the database's settings version (one row) and
reloads the settings only when it changed (bot/settings_live.py). This measures that read
as the bot makes it, `LiveSettings.refresh()` with nothing changed: one after the other,
and in bursts of concurrent commands; then how many commands a change takes to be seen by
a second store on the same database (the answer should be: the next one).

    .venv/bin/python -m bench.settings_check [--calls 5000] [--burst 200]
                                             [--database-url postgresql://…/db]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench.common import report
from bot.config import Settings
from bot.settings_keys import CORE_KEYS
from bot.settings_live import LiveSettings
from bot.storage import open_store
from bot.storage.settings_types import AuditEntry


async def measure(url: str, calls: int, burst: int) -> dict[str, object]:
    store, other = await open_store(url), await open_store(url)
    try:
        settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
        live = LiveSettings(store, CORE_KEYS, [settings])
        await live.refresh()
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(calls):
            await live.refresh()
        one_wall = (time.perf_counter() - wall) / calls
        one_cpu = (time.process_time() - cpu) / calls
        rounds = max(1, calls // burst)
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(rounds):
            await asyncio.gather(*(live.refresh() for _ in range(burst)))
        burst_wall = (time.perf_counter() - wall) / (rounds * burst)
        burst_cpu = (time.process_time() - cpu) / (rounds * burst)
        entry = AuditEntry(time.time(), "bench", "cli", "setting", "MAX_JOBS_PER_USER", "2", "7")
        await other.put_setting("MAX_JOBS_PER_USER", "7", entry)
        await live.refresh()
        seen_next = settings.max_jobs_per_user == 7
    finally:
        await store.close()
        await other.close()
    return {
        "database": url.split(":", 1)[0],
        "sequential ms/check": round(one_wall * 1000, 3),
        "CPU ms/check": round(one_cpu * 1000, 3),
        f"burst of {burst}: ms/check": round(burst_wall * 1000, 3),
        "burst CPU ms/check": round(burst_cpu * 1000, 3),
        "change seen at the next check": seen_next,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5_000)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--database-url", help="also measure this (empty) PostgreSQL database")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        rows.append(asyncio.run(measure(url, args.calls, args.burst)))
    if args.database_url:
        rows.append(asyncio.run(measure(args.database_url, args.calls, args.burst)))
    report("settings check per command", rows)


if __name__ == "__main__":
    main()
