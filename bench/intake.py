"""Intake: `/video` commands accepted per second through the core, by one bot process or by
several sharing one PostgreSQL database.

Each command goes the whole way an adapter sends it: `VideoService.handle` parses it,
validates it against the vendors' declared models, reserves the credits and persists the
job in one transaction, and answers with the remaining balance. Many users send at once,
each to any process (as behind a webhook's load balancer). The engine's `launch` is replaced
by a no-op so that vendor traffic does not share the clock: this measures intake alone
(the capacity benchmark measures the rest).

With `--procs N` (PostgreSQL only) N bot processes each build their core, connect their
pool, then start together on an equal share of the commands; reported are the total rate,
the bot processes' CPU per accepted command and PostgreSQL's (bench/pg_cpu.py).

    .venv/bin/python -m bench.intake [--commands 20000] [--users 1000] [--concurrency 200]
                                     [--procs 4 --database postgresql://…/empty_db]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from adapters.runtime import run_loop
from bench.common import ROOT, CpuMeter, mb, peak_rss_bytes, report, summary
from bench.pg_cpu import PgCpuMeter
from bot.bootstrap import Core, build_core
from bot.commands import read
from bot.config import Settings
from bot.models import UserRef
from bot.service import Incoming
from bot.storage import open_store
from bot.vendors.runway import RunwayClient

TARGET = 1_000  # accepted/s, one process
TARGET_PROCS = 2_000  # accepted/s in total, several processes on PostgreSQL
PROMPTS = (
    "/video a fox running through snow",
    "/video --duration 10 a lighthouse in a storm",
    "/video --ratio portrait a paper boat on a stormy sea",
    "/video ratio=9:16 duration=5 a cat astronaut --seed 42",
    "/video --model gen4.5 slow motion waves at dusk",
)


async def open_core(commands: int, db_dir: Path, database_url: str) -> Core:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
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
    pool = getattr(core.store, "pool", None)
    if pool is not None:  # every connection open before the clock starts
        async with asyncio.TaskGroup() as tg:
            for _ in range(pool.get_max_size()):
                tg.create_task(pool.execute("SELECT 1"))
    return core


async def send(
    core: Core, commands: int, users: int, concurrency: int, seed: int
) -> dict[str, Any]:
    """Send `commands` from `users` users, `concurrency` at once; what it took."""
    rng = random.Random(seed)
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
    cpu.stop()
    return {
        "accepted": commands - len(refused),
        "wall": wall,
        "cpu_seconds": cpu.cores * cpu.seconds,
        "latencies_ms": [x * 1000 for x in latencies],
        "refusals": sorted(set(refused))[:3],
    }


async def run(
    commands: int, users: int, concurrency: int, db_dir: Path, database_url: str | None = None
) -> dict[str, Any]:
    """One process: the figures of its run."""
    url = database_url or f"sqlite:///{db_dir / 'intake.db'}"
    core = await open_core(commands, db_dir, url)
    pg = PgCpuMeter(url).start() if url.startswith("postgres") else None
    sent = await send(core, commands, users, concurrency, seed=1)
    pg_seconds = pg.stop() if pg is not None else None
    stored = (await core.store.stats(0))["jobs"]
    await core.aclose()
    return row(commands, users, concurrency, 1, [sent], sent["wall"], stored, pg_seconds)


def row(
    commands: int, users: int, concurrency: int, procs: int, sent: list[dict[str, Any]],
    wall: float, stored: int, pg_seconds: float | None,
) -> dict[str, Any]:  # fmt: skip
    accepted = sum(s["accepted"] for s in sent)
    lat = summary([x for s in sent for x in s["latencies_ms"]])
    bot_cpu = sum(s["cpu_seconds"] for s in sent)
    per_accept = 1000 / max(accepted, 1)
    return {
        "procs": procs,
        "commands": commands,
        "users": users,
        "concurrency": concurrency,
        "accepted": accepted,
        "jobs_in_db": stored,
        "per_second": round(accepted / wall, 1),
        "latency_p50_ms": round(lat["p50"], 2),
        "latency_p95_ms": round(lat["p95"], 2),
        "bot_cpu_ms_per_accept": round(bot_cpu * per_accept, 3),
        "pg_cpu_ms_per_accept": None if pg_seconds is None else round(pg_seconds * per_accept, 3),
        "bot_cores": round(bot_cpu / wall, 2),
        "pg_cores": None if pg_seconds is None else round(pg_seconds / wall, 2),
        "peak_rss_mb": mb(peak_rss_bytes()) if procs == 1 else None,
        "refusals": sorted({r for s in sent for r in s["refusals"]})[:3],
    }


async def child(args: argparse.Namespace) -> None:
    """One of several processes: ready, then wait for the word, send its share, report,
    and close when told."""
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp:
        core = await open_core(args.commands, Path(tmp), args.database_url)
        print("READY", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        sent = await send(core, args.commands, args.users, args.concurrency, seed=args.child)
        print("DONE " + json.dumps(sent), flush=True)
        # Connected until the parent has read PostgreSQL's CPU: a backend that ends is lost.
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        await core.aclose()


async def parent(args: argparse.Namespace) -> dict[str, Any]:
    """Start `--procs` processes on one database, let them go together, add them up."""
    share = args.commands // args.procs
    argv = ["-m", "bench.intake", "--database", args.database_url, "--commands", str(share)]
    argv += ["--users", str(args.users), "--concurrency", str(args.concurrency)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    pipe = asyncio.subprocess.PIPE
    procs = []
    for n in range(args.procs):
        child_argv = [*argv, "--child", str(n + 1)]
        procs.append(
            await asyncio.create_subprocess_exec(
                sys.executable,
                *child_argv,
                cwd=ROOT,
                env=env,
                stdin=pipe,
                stdout=pipe,
                limit=1 << 24,  # DONE's line carries every latency
            )
        )
    try:
        # They migrate together (under an advisory lock, once), then connect their pools.
        await asyncio.gather(*(wait_for(proc, "READY") for proc in procs))
        pg = PgCpuMeter(args.database_url).start()
        t0 = time.perf_counter()
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write(b"go\n")
        await asyncio.gather(*(proc.stdin.drain() for proc in procs if proc.stdin))
        done = await asyncio.gather(*(wait_for(proc, "DONE ") for proc in procs))
        wall = time.perf_counter() - t0
        pg_seconds = pg.stop()
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write(b"close\n")
        await asyncio.gather(*(proc.wait() for proc in procs))
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
            await proc.wait()
    store = await open_store(args.database_url)
    stored = (await store.stats(0))["jobs"]
    await store.close()
    sent = [json.loads(line) for line in done]
    total = share * args.procs
    return row(total, args.users, args.concurrency, args.procs, sent, wall, stored, pg_seconds)


async def wait_for(proc: asyncio.subprocess.Process, prefix: str) -> str:
    """The rest of the first line of `proc`'s output starting with `prefix`."""
    assert proc.stdout is not None
    while line := (await proc.stdout.readline()).decode():
        if line.startswith(prefix):
            return line[len(prefix) :].strip()
    raise RuntimeError(f"a bot process ended (exit {await proc.wait()}) before {prefix.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commands", type=int, default=20_000, help="in all")
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--concurrency", type=int, default=200, help="per process")
    parser.add_argument("--procs", type=int, default=1, help="bot processes (PostgreSQL)")
    parser.add_argument(
        "--database", "--database-url", dest="database_url",
        help="an empty database to use (default: a SQLite file in a temp dir)",
    )  # fmt: skip
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_loop(child(args))
        return
    if args.procs > 1 and not (args.database_url or "").startswith("postgres"):
        parser.error("several processes share a PostgreSQL database: --database postgresql://…")
    load = os.getloadavg()
    if args.procs > 1:
        result = run_loop(parent(args))
    else:
        with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp:
            result = run_loop(
                run(args.commands, args.users, args.concurrency, Path(tmp), args.database_url)
            )
    target = TARGET_PROCS if args.procs > 1 else TARGET
    refusals = result.pop("refusals")
    loads = [round(x, 2) for x in (*load, *os.getloadavg())]
    extra = {"target_per_second": target, "refusals": refusals, "load_average": loads}
    report("intake", [result], extra)
    print(f"\nload average before {loads[:3]}, after {loads[3:]} (the machine's other work)")
    verdict = "met" if result["per_second"] >= target else "MISSED"
    print(f"target >= {target:,} accepted/s: {verdict}")


if __name__ == "__main__":
    main()
