"""Recording a task the vendor has just accepted.

The task id is the only handle on a task the vendor will charge for. A store error at that
moment (SQLite's "database or disk is full", an I/O error) is usually brief, so the write is
retried a few times; if it keeps failing the caller cancels the task at the vendor and
refunds the job, rather than leaving it in SUBMITTING with its credits held.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.models import JobState
from bot.storage.base import JobPatch, Store

log = logging.getLogger("videobot.engine")

RECORD_TRIES = 5
RECORD_BACKOFF = 0.2  # seconds before the second try, doubled after each failure (3 s in all)


async def record_accepted(
    store: Store, job_id: str, task_id: str, clock: Callable[[], float]
) -> bool:
    """Move the job to RUNNING with its task id; False if it was settled meanwhile.

    Raises the store's last error once RECORD_TRIES writes have failed.
    """
    for attempt in range(RECORD_TRIES):
        try:
            return await store.transition(
                job_id, (JobState.SUBMITTING,), JobState.RUNNING, clock(),
                JobPatch(vendor_task_id=task_id),
            )  # fmt: skip
        except Exception as exc:  # the store's own errors (sqlite3, OSError) differ by backend
            if attempt == RECORD_TRIES - 1:
                raise
            wait = RECORD_BACKOFF * 2**attempt
            log.warning(
                "job %s: could not record vendor task %s (%s: %s); retrying in %.1fs",
                job_id, task_id, type(exc).__name__, exc, wait,
            )  # fmt: skip
            await asyncio.sleep(wait)
    raise AssertionError("unreachable")  # the loop returns or raises
