"""Capacity across processes: N jobs split over 1, 2 and 4 bot processes on PostgreSQL,
beside one process on SQLite in the same run.

Each row starts a fresh vendor emulator (`bench.vendor_server`, tasks lasting --min to
--max seconds) and a fresh database (a throwaway one on the PostgreSQL server of
--database, or a new SQLite file), then the bot processes (`bench.pg_worker`, the core with
no chat adapter), each asking for its share of the jobs and tracking them to delivery; on
PostgreSQL the queue and the jobs are shared, so any process may deliver any job. Per row:
the bot processes' CPU added up, per job (from each one's first READY line to the last
delivery, intake included); PostgreSQL's own CPU per job (`bench.pg_cpu`: this database's
backends plus the server's writers); the lag from the emulator's done time to the hand-over
(CLOCK_MONOTONIC, shared by all processes); polls per job (counted by the emulator); and
the jobs delivered, lost (never delivered) and duplicated (delivered or submitted twice).

    .venv/bin/python -m bench.capacity_procs                  # 10,000 jobs; sqlite, 1, 2, 4
    .venv/bin/python -m bench.capacity_procs --jobs 500 --procs 1,2 --database postgresql://…
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from bench.capacity import TIMEOUT_MARGIN, _line, _spawn
from bench.common import CpuMeter, report, summary
from bench.pg_cpu import PgCpuMeter
from bot.models import JobState
from bot.storage import open_store
from tests import postgres


def deliveries(work: Path) -> tuple[dict[str, float], Counter[str]]:
    """Each vendor task's first hand-over time, and each job id's deliveries, over the
    processes' logs."""
    times: dict[str, float] = {}
    for f in work.glob("times-*.txt"):
        for line in f.read_text().splitlines():
            task, _, at = line.partition(" ")
            if at:
                times[task] = min(float(at), times.get(task, float(at)))
    jobs = Counter(x for f in work.glob("delivered-*.txt") for x in f.read_text().split())
    return times, jobs


async def job_states(url: str) -> Counter[str]:
    store = await open_store(url)
    try:
        return Counter(j.state.value for j in await store.list_jobs(limit=10**6))
    finally:
        await store.close()


def run_row(store: str, procs: int, args: argparse.Namespace) -> dict[str, Any]:
    """One row: `procs` processes on a fresh database of kind `store` ("sqlite"/"postgresql")."""
    name = f"cap-{store}-{procs}"
    work = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    if store == "sqlite":
        url = f"sqlite:///{work / 'bench.db'}"
    else:
        url = asyncio.run(postgres.create_database(args.database))
    emu_argv = ["-m", "bench.vendor_server", "--seed", str(args.seed)]
    emu = _spawn([*emu_argv, "--min", str(args.min), "--max", str(args.max)], f"{name}-vendor")
    workers: list[subprocess.Popen[str]] = []
    try:
        vendor = _line(emu, "READY ", f"{name}-vendor")
        share, senders = args.jobs // procs, max(1, args.senders // procs)
        meters = []
        pg = PgCpuMeter(url) if store != "sqlite" else None
        for n in range(procs):
            argv = ["-m", "bench.pg_worker", "--database-url", url, "--vendor-url", vendor]
            argv += ["--workdir", str(work), "--name", f"w{n}", "--times"]
            argv += ["--jobs", str(share), "--first", str(n * share)]
            argv += ["--senders", str(senders), "--interval", str(args.interval)]
            workers.append(_spawn(argv, f"{name}-w{n}"))
        for n, proc in enumerate(workers):  # all connected (pools filled) before measuring
            _line(proc, "READY ", f"{name}-w{n}")
            meters.append(CpuMeter(proc.pid).start())
        if pg is not None:
            pg.start()
        started = time.monotonic()
        sent = sum(int(_line(p, "SENT ", f"{name}-w{n}")) for n, p in enumerate(workers))
        intake = time.monotonic() - started
        deadline = time.monotonic() + args.max + TIMEOUT_MARGIN
        while len(deliveries(work)[0]) < sent and time.monotonic() < deadline:
            time.sleep(1.0)
        wall = time.monotonic() - started
        bot_cpu = sum(m.stop() * m.seconds for m in meters)
        pg_cpu = pg.stop() if pg is not None else None
        with urllib.request.urlopen(f"{vendor}/_bench/tasks", timeout=60) as answer:
            emulated = json.load(answer)
        for proc in workers:
            proc.send_signal(signal.SIGTERM)
        for proc in workers:
            proc.wait(60)
        states = asyncio.run(job_states(url))
    finally:
        for proc in [*workers, emu]:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(30)
        if store != "sqlite":
            asyncio.run(postgres.drop_database(url))
    times, delivered = deliveries(work)
    tasks = emulated["tasks"]
    lag = summary([at - tasks[t]["done_at"] for t, at in times.items()
                   if t in tasks and tasks[t]["done_at"] is not None])  # fmt: skip
    per_job = 1000 / max(1, sent)
    return {
        "store": store,
        "procs": procs,
        "jobs": sent,
        "bot_cpu_ms_per_job": round(bot_cpu * per_job, 2),
        "pg_cpu_ms_per_job": round(pg_cpu * per_job, 2) if pg_cpu is not None else None,
        "bot_cores": round(bot_cpu / wall, 3),
        "lag_p50_s": round(lag["p50"], 2),
        "lag_p95_s": round(lag["p95"], 2),
        "polls_per_job": round(sum(t["polls"] for t in tasks.values()) / max(1, sent), 2),
        "delivered": len(delivered),
        "lost": sent - len(delivered),
        "dup_deliveries": sum(n - 1 for n in delivered.values() if n > 1),
        "dup_submissions": max(0, int(emulated["creates"]) - sent),
        "failed": states.get(JobState.FAILED.value, 0),
        "intake_s": round(intake, 1),
        "wall_s": round(wall, 1),
    }


def verdicts(rows: list[dict[str, Any]], interval: float) -> list[str]:
    """The targets: PostgreSQL's bot CPU per job within 1.5x SQLite's; p95 lag within the
    poll interval + 1 s in every row; nothing lost or duplicated."""
    lines = []
    base = next((r for r in rows if r["store"] == "sqlite"), None)
    for row in rows:
        label = f"{row['store']} x{row['procs']}"
        checks = [
            (f"p95 lag <= {interval + 1:g} s", row["lag_p95_s"] <= interval + 1,
             f"{row['lag_p95_s']} s"),
            ("none lost or duplicated",
             row["lost"] == row["dup_deliveries"] == row["dup_submissions"] == 0,
             f"{row['lost']}/{row['dup_deliveries']}/{row['dup_submissions']}"),
        ]  # fmt: skip
        if base is not None and row is not base:
            ratio = row["bot_cpu_ms_per_job"] / max(1e-9, base["bot_cpu_ms_per_job"])
            checks.append(("bot CPU/job <= 1.5x SQLite", ratio <= 1.5, f"{ratio:.2f}x"))
        for what, ok, value in checks:
            lines.append(f"{label}: {what}: {'met' if ok else 'MISSED'} ({value})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=10_000, help="jobs per row, split evenly")
    parser.add_argument("--procs", default="1,2,4", help="comma list of process counts (PG)")
    parser.add_argument(
        "--database",
        default=postgres.server_url(),
        help="PostgreSQL server URL; each row gets a throwaway database on it",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite row")
    parser.add_argument("--interval", type=float, default=5.0, help="VIDEO_POLL_INTERVAL")
    parser.add_argument("--min", type=float, default=20.0, help="shortest task, seconds")
    parser.add_argument("--max", type=float, default=60.0, help="longest task, seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--senders", type=int, default=200, help="commands sent at once, total")
    args = parser.parse_args()
    plan = [] if args.no_sqlite else [("sqlite", 1)]
    plan += [("postgresql", int(n)) for n in args.procs.split(",")]
    rows = []
    for store, procs in plan:
        print(f"running {store} x{procs} with {args.jobs:,} jobs…", flush=True)
        rows.append(run_row(store, procs, args))
    report("capacity across processes", rows, {"settings": vars(args)})
    print()
    for line in verdicts(rows, args.interval):
        print(line)


if __name__ == "__main__":
    main()
