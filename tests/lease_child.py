"""A bot process for the lease tests (tests/test_job_leases_processes.py): a core on a shared
PostgreSQL database that asks for JOBS videos (one user each), then works until killed. Each
video it delivers is one line (the job id) in WORK_DIR/delivered-<pid>.txt.

    python -m tests.lease_child DATABASE_URL VENDOR_URL WORK_DIR JOBS
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bot.commands import read
from bot.models import Job, UserRef
from bot.service import Incoming
from bot.vendors.runway import RunwayClient
from tests.helpers import RecordingSink, make_core

LEASE_SECONDS = 3.0


class FileSink(RecordingSink):
    """Records each delivery in a file too, so the test sees every process's."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    async def deliver(self, job: Job, video: Path, caption: str) -> None:
        await super().deliver(job, video, caption)
        with self.path.open("a") as out:
            out.write(job.id + "\n")


async def main(url: str, vendor_url: str, work: Path, jobs: int) -> None:
    client = RunwayClient(api_key="test-key", base_url=vendor_url)
    core = await make_core(
        work, vendors=[client], database_url=url, video_vendors=["runway"],
        max_jobs_per_user=100, video_job_timeout=120, video_poll_interval=0.2,
        video_lease_seconds=LEASE_SECONDS,
    )  # fmt: skip
    core.engine.subscribe("test", FileSink(work / f"delivered-{os.getpid()}.txt"))
    await core.start()
    print(f"READY {core.engine.leases.owner}", flush=True)
    asks = [
        Incoming(user=UserRef("test", str(n + 1)), command=read(f"/video fox {n}"))
        for n in range(jobs)
    ]
    replies = await asyncio.gather(*(core.service.handle(ask) for ask in asks))
    print("SENT" if all(r.job is not None for r in replies) else "REFUSED", flush=True)
    await asyncio.Event().wait()  # until killed


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])))
