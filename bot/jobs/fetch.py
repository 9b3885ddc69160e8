"""Turning a vendor's finished task into a file to deliver, and the job into DELIVERING.

The rules on the result URL and the download (origins, size, magic bytes, its own download
slots) live in bot/fetch.py; this step adds the job's side: a refused result is refunded,
and a job past its deadline is never delivered, and so never charged.
"""

from __future__ import annotations

import asyncio

from bot.jobs.download import Refusal
from bot.jobs.kernel import Kernel, log
from bot.jobs.settle import fail, timeout
from bot.models import Job, JobState, TaskState
from bot.storage.base import JobPatch
from bot.vendors.base import VendorClient


async def fetch(k: Kernel, job: Job, vendor: VendorClient, state: TaskState) -> bool:
    """Download the result and move to DELIVERING; False to poll again and retry."""
    url = state.video_url or ""
    got = await k.fetcher.fetch(job, vendor, url)
    if got is None:
        return False
    if isinstance(got, Refusal):
        await fail(k, job, got.code, got.text_key, reason_key=got.reason_key)
        return True
    if k.clock() >= job.deadline_at:  # never deliver, and charge, a job past its time
        if not url.startswith("file:"):
            await asyncio.to_thread(got.unlink, missing_ok=True)
        await timeout(k, job)
        return True
    path = got
    async with k.lock(job.id):
        moved = await k.store.transition(
            job.id, (JobState.RUNNING,), JobState.DELIVERING, k.clock(),
            JobPatch(
                result_path=str(path), result_url=None if url.startswith("file:") else url,
                progress=1.0,
            ),
        )  # fmt: skip
    if moved:
        log.info(
            "job %s delivering user=%s vendor=%s task=%s",
            job.id, job.user, vendor.id, job.vendor_task_id,
        )  # fmt: skip
    return True
