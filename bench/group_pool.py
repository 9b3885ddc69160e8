"""What a group budget costs a reserve: bursts of concurrent reserves from many users, paid
from their own credits, against paid from one group's pool, through the real store.

A pool is one row every reserve of the group locks (on PostgreSQL, after the user's rows)
before it sums the group's use, so a busy group's reserves take turns where different
users' do not; on SQLite every write takes turns anyway. Reported: reserves per second and
the bot's CPU per reserve, per backend and way of paying; every reserve is then settled.

    .venv/bin/python -m bench.group_pool [--bursts 10] [--burst 200]
        [--postgres postgresql://…/an_empty_database]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import cpu_seconds, report
from bot.chat import StoredChat
from bot.models import JobRequest, JobState, Mode, UserRef
from bot.storage import Store, open_store
from bot.storage.base import NewJob, QuotaPolicy

DAY = "2026-01-01"
GROUP = "bench:-1"


def job(n: int, user: UserRef, group: str | None) -> NewJob:
    return NewJob(
        id=f"{n:032x}", user=user, request=JobRequest(f"prompt {n}", Mode.TEXT), cost=1,
        locale="en", chat=StoredChat(), deadline_at=0.0, media={}, group=group,
    )  # fmt: skip


async def measure(store: Store, bursts: int, burst: int, group: str | None) -> dict[str, Any]:
    """`bursts` rounds of `burst` reserves at once, one per user; every one settled after."""
    policy = QuotaPolicy(day=DAY, per_day=bursts, max_active=bursts, unlimited=False)
    if group is not None:
        await store.set_group_budget(group, bursts * burst, "bench:0", 0.0)
    users = [UserRef("bench", str(u)) for u in range(burst)]
    first = 10**9 if group is not None else 0  # each way of paying its own job ids
    rounds = [[first + b * burst + u for u in range(burst)] for b in range(bursts)]
    start, cpu = time.perf_counter(), cpu_seconds()
    for numbers in rounds:
        await asyncio.gather(
            *(store.reserve(job(n, users[n % burst], group), policy, 1.0) for n in numbers)
        )
    wall, used = time.perf_counter() - start, cpu_seconds() - cpu
    reserves = bursts * burst
    for numbers in rounds:
        await asyncio.gather(
            *(
                store.settle(f"{n:032x}", charge=True, state=JobState.DELIVERED, now=2.0)
                for n in numbers
            )
        )
    if group is not None:
        pool = await store.group_day(group, DAY)
        assert pool is not None and pool.pool_left == 0, "the pool did not pay every job"
    return {
        "paid from": "a group's pool" if group else "own credits",
        "reserves": reserves,
        "reserves/s": reserves / wall,
        "CPU ms/reserve": used * 1000 / reserves,
    }


async def backend(url: str, name: str, bursts: int, burst: int) -> list[dict[str, Any]]:
    store = await open_store(url)
    try:
        rows = [
            await measure(store, bursts, burst, None),
            await measure(store, bursts, burst, GROUP),
        ]
    finally:
        await store.close()
    return [{"store": name, **row} for row in rows]


async def run(bursts: int, burst: int, postgres: str | None) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="bench-group-") as tmp:
        rows = await backend(f"sqlite:///{Path(tmp) / 'bench.db'}", "sqlite", bursts, burst)
    if postgres:
        rows += await backend(postgres, "postgresql", bursts, burst)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bursts", type=int, default=10)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--postgres", help="an empty PostgreSQL database to measure too")
    args = parser.parse_args()
    report("group pool", asyncio.run(run(args.bursts, args.burst, args.postgres)))


if __name__ == "__main__":
    main()
