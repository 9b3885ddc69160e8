"""Intake: `/video` commands accepted per second through the core.

Each command goes the whole way an adapter sends it: `VideoService.handle` parses it,
validates it against the vendors' declared models, reserves the credits and persists the
job in one SQLite (WAL) transaction, and answers with the remaining balance. Many users
send at once. The engine's `launch` is replaced by a no-op so that vendor traffic does not
share the clock: this measures intake alone (the capacity benchmark measures the rest).

    .venv/bin/python -m bench.intake [--commands 20000] [--users 1000] [--concurrency 200]
                                     [--database-url postgresql://…/empty_db]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from adapters.runtime import run_loop
from bench.common import CpuMeter, mb, peak_rss_bytes, report, summary
from bot.bootstrap import build_core
from bot.commands import read
from bot.config import Settings
from bot.models import UserRef
from bot.service import Incoming
from bot.vendors.runway import RunwayClient

PROMPTS = (
    "/video a fox running through snow",
    "/video --duration 10 a lighthouse in a storm",
    "/video --ratio portrait a paper boat on a stormy sea",
    "/video ratio=9:16 duration=5 a cat astronaut --seed 42",
    "/video --model gen4.5 slow motion waves at dusk",
)


async def run(
    commands: int, users: int, concurrency: int, db_dir: Path, database_url: str | None = None
) -> dict[str, Any]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url or f"sqlite:///{db_dir / 'intake.db'}",
        data_dir=db_dir,
        video_vendors=["runway"],
        quota_credits_per_day=1_000_000,
        max_jobs_per_user=1_000_000,
        # No job is run here (launch is a no-op), so none would ever free a vendor slot:
        # the queue takes them all at once, as with a vendor of unbounded capacity.
        runway_max_concurrent=commands,
        confirm_above_credits=1_000_000,  # intake of jobs, not of cost questions
    )
    vendor = RunwayClient(api_key="unused", base_url="http://127.0.0.1:9")  # never called
    core = await build_core(settings, vendors=[vendor])
    core.engine.launch = lambda job_id: None  # type: ignore[method-assign]
    await core.start()
    rng = random.Random(1)
    messages = [
        Incoming(
            user=UserRef("bench", str(rng.randrange(users))), command=read(rng.choice(PROMPTS))
        )
        for _ in range(commands)
    ]
    latencies: list[float] = []
    refused: list[str] = []
    queue = iter(messages)

    async def worker() -> None:
        for msg in queue:
            t0 = time.perf_counter()
            reply = await core.service.handle(msg)
            latencies.append(time.perf_counter() - t0)
            if reply.job is None:
                refused.append(reply.text)

    cpu = CpuMeter().start()
    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - t0
    cores = cpu.stop()
    stored = (await core.store.stats(0))["jobs"]
    await core.aclose()
    lat = summary([x * 1000 for x in latencies])
    return {
        "commands": commands,
        "users": users,
        "concurrency": concurrency,
        "accepted": commands - len(refused),
        "jobs_in_db": stored,
        "per_second": round((commands - len(refused)) / wall, 1),
        "latency_p50_ms": round(lat["p50"], 2),
        "latency_p95_ms": round(lat["p95"], 2),
        "latency_max_ms": round(lat["max"], 2),
        "cpu_cores": round(cores, 2),
        "peak_rss_mb": mb(peak_rss_bytes()),
        "refusals": sorted(set(refused))[:3],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commands", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument(
        "--database-url", help="an empty database to use (default: a SQLite file in a temp dir)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp:
        row = run_loop(
            run(args.commands, args.users, args.concurrency, Path(tmp), args.database_url)
        )
    refusals = row.pop("refusals")
    report("intake", [row], {"target_per_second": 1000, "refusals": refusals})
    verdict = "met" if row["per_second"] >= 1000 else "MISSED"
    print(f"\ntarget >= 1,000 accepted/s: {verdict}")


if __name__ == "__main__":
    main()
