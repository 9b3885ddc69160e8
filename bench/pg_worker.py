"""A headless bot process on a shared PostgreSQL database (or a SQLite file, alone), for
`bench.takeover` and `bench.capacity_procs`: the core with no chat adapter, its deliveries
written one job id a line to WORKDIR/delivered-NAME.txt (so the benchmark sees every
process's), optionally asking for JOBS videos first (numbered from --first, --senders at once).

    .venv/bin/python -m bench.pg_worker --database-url postgresql://… --vendor-url URL \
        --workdir DIR [--jobs 1000] [--lease 30]
    # prints "READY <process id>", then "SENT <n>" once its jobs are accepted; runs until
    # SIGTERM (a clean stop) or SIGKILL
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import time
from pathlib import Path

from adapters.runtime import run_loop
from bot.bootstrap import build_core
from bot.commands import read
from bot.config import Settings
from bot.events import JobEvent
from bot.models import Job, UserRef
from bot.service import Incoming
from bot.vendors.runway import RunwayClient

PLATFORM = "bench"


class FileSink:
    """Writes each delivery's job id, at once (a SIGKILL keeps every line written); with
    `times`, also the vendor task id and the CLOCK_MONOTONIC time of the hand-over, which
    `bench.capacity_procs` sets against the emulator's done time for the lag."""

    keep_files = False
    acks_notices = False

    def __init__(self, path: Path, times: Path | None = None) -> None:
        self.out = path.open("a", buffering=1)
        self.times = times.open("a", buffering=1) if times else None

    async def on_event(self, event: JobEvent) -> None:
        return None

    async def deliver(self, job: Job, video: Path, caption: str) -> None:
        self.out.write(job.id + "\n")
        if self.times is not None:
            self.times.write(f"{job.vendor_task_id} {time.monotonic()}\n")


async def work(args: argparse.Namespace) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=args.database_url,
        data_dir=Path(args.workdir),
        video_vendors=["runway"],
        video_poll_interval=args.interval,
        video_job_timeout=900,
        video_lease_seconds=args.lease,
        quota_credits_per_day=10**9,
        max_jobs_per_user=10**9,
        runway_max_concurrent=10**6,  # the emulator takes any number at once
    )
    vendor = RunwayClient(api_key="bench-key", base_url=args.vendor_url)
    core = await build_core(settings, vendors=[vendor])
    work_dir = Path(args.workdir)
    times = work_dir / f"times-{args.name}.txt" if args.times else None
    core.engine.subscribe(PLATFORM, FileSink(work_dir / f"delivered-{args.name}.txt", times))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await core.start()
    print(f"READY {core.engine.leases.owner}", flush=True)
    numbers = iter(range(args.first, args.first + args.jobs))
    accepted = [0]

    async def sender() -> None:
        for i in numbers:
            ask = Incoming(user=UserRef(PLATFORM, str(i % 1000)), command=read(f"/video job {i}"))
            reply = await core.service.handle(ask)  # awaited first: `+=` would race
            accepted[0] += reply.job is not None

    await asyncio.gather(*(sender() for _ in range(args.senders)))
    sent = accepted[0]
    if args.jobs:
        print(f"SENT {sent}", flush=True)
    await stop.wait()
    await core.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--vendor-url", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--name", default="worker")
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--lease", type=float, default=30.0)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--first", type=int, default=0, help="number of the first job")
    parser.add_argument("--senders", type=int, default=1, help="commands sent at once")
    parser.add_argument("--times", action="store_true", help="log delivery times too")
    run_loop(work(parser.parse_args()))


if __name__ == "__main__":
    main()
