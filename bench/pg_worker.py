"""A headless bot process on a shared PostgreSQL database, for `bench.takeover`: the core
with no chat adapter, its deliveries written one job id a line to WORKDIR/delivered-PID.txt
(so the benchmark sees every process's), optionally asking for JOBS videos first.

    .venv/bin/python -m bench.pg_worker --database-url postgresql://… --vendor-url URL \
        --workdir DIR [--jobs 1000] [--lease 30]
    # prints "READY <process id>", then "SENT <n>" once its jobs are accepted; runs until
    # SIGTERM (a clean stop) or SIGKILL
"""

from __future__ import annotations

import argparse
import asyncio
import signal
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
    """Writes each delivery's job id, at once (a SIGKILL keeps every line written)."""

    keep_files = False
    acks_notices = False

    def __init__(self, path: Path) -> None:
        self.out = path.open("a", buffering=1)

    async def on_event(self, event: JobEvent) -> None:
        return None

    async def deliver(self, job: Job, video: Path, caption: str) -> None:
        self.out.write(job.id + "\n")


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
    core.engine.subscribe(PLATFORM, FileSink(Path(args.workdir) / f"delivered-{args.name}.txt"))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await core.start()
    print(f"READY {core.engine.leases.owner}", flush=True)
    sent = 0
    for i in range(args.jobs):
        ask = Incoming(user=UserRef(PLATFORM, str(i % 1000)), command=read(f"/video job {i}"))
        sent += (await core.service.handle(ask)).job is not None
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
    run_loop(work(parser.parse_args()))


if __name__ == "__main__":
    main()
