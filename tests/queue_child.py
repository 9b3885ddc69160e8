"""A bot process for the queue's restart test (tests/test_queue_restart.py): one user asks
for five videos at once with MAX_JOBS_PER_USER=2, then the process waits to be killed.

    python -m tests.queue_child WORK_DIR VENDOR_URL
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.commands import read
from bot.models import UserRef
from bot.service import Incoming
from bot.vendors.runway import RunwayClient
from tests.helpers import make_core

USER = UserRef("test", "1")


async def main(work: Path, vendor_url: str) -> None:
    client = RunwayClient(api_key="test-key", base_url=vendor_url)
    core = await make_core(
        work, vendors=[client], video_vendors=["runway"], max_jobs_per_user=2,
        video_job_timeout=60,
    )  # fmt: skip
    await core.start()
    replies = await asyncio.gather(
        *(core.service.handle(Incoming(user=USER, command=read(f"/video fox {i}")))
          for i in range(5))
    )  # fmt: skip
    print("SENT" if all(r.job is not None for r in replies) else "REFUSED", flush=True)
    await asyncio.Event().wait()  # until SIGKILL


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), sys.argv[2]))
