"""Polling a job's task at its vendor until it ends, and telling the user how it goes.

Polls are nearly all of the bot's work with thousands of jobs in flight (the capacity
benchmark), so the schedule follows the progress rate the vendor reports, a vendor callback
wakes the poll early, sleeping is a plain timer, and progress is stored in steps.
"""

from __future__ import annotations

import asyncio
import random

from bot import texts
from bot.errors import NotFound, RateLimited, VendorError
from bot.events import EventKind
from bot.jobs import failures
from bot.jobs.events import emit
from bot.jobs.fetch import fetch
from bot.jobs.kernel import Kernel, log
from bot.jobs.settle import fail, timeout
from bot.models import Job, TaskState, TaskStatus
from bot.routing.history import time_left
from bot.storage.base import JobPatch
from bot.vendors.base import VendorClient

DOWNLOAD_RETRIES = 4
PROGRESS_STEP = 0.1  # store progress when it moved this much (events still see every poll)
MAX_ETA_SLEEP = 120.0  # longest sleep between two polls that a progress estimate may pick


def next_poll(
    interval: float, first: tuple[float, float], now: tuple[float, float], default: float
) -> float:
    """Seconds to the next poll, from the progress rate the vendor has shown so far.

    The capacity benchmark showed polls as nearly all of the bot's work with 10,000 jobs
    in flight. While the finish is far off (more than two intervals by the rate seen since
    the first progress report), sleep through three quarters of the time left; near it,
    poll at the estimated finish but never more than one interval out, so a task that
    ends sooner than its rate promised is still seen within one interval.
    """
    (t0, p0), (t1, p1) = first, now
    if t1 <= t0 or p1 <= p0 or p1 >= 1.0:
        return default
    left = (1.0 - p1) * (t1 - t0) / (p1 - p0)
    if left > 2 * interval:
        return min(MAX_ETA_SLEEP, 0.75 * left)
    return max(interval / 4, min(default, left + interval / 20))


async def nap(wake: asyncio.Event, seconds: float) -> None:
    """Sleep `seconds`, or less if `wake` is set meanwhile.

    Not `asyncio.wait_for(wake.wait(), seconds)`: that made a task and raised a TimeoutError
    (a frame cycle left for the garbage collector) per poll of each of 10,000 jobs, and the
    capacity run showed the collector taking up to a fifth of the event loop.
    """
    timer = asyncio.get_running_loop().call_later(seconds, wake.set)
    try:
        await wake.wait()
    finally:
        timer.cancel()


async def poll(k: Kernel, job: Job) -> None:
    """Poll a RUNNING job until its task ends, it is fetched, or its time is up."""
    vendor = k.vendors.get(job.vendor or "")
    task_id = job.vendor_task_id or ""
    if vendor is None:
        log.error("job %s: vendor %s is no longer configured; refunding", job.id, job.vendor)
        await fail(k, job, "vendor_removed", "failed_unavailable")
        return
    k.by_task[(vendor.id, task_id)] = job.id
    wake = k.wakeups.setdefault(job.id, asyncio.Event())
    interval = vendor.poll_interval or k.settings.video_poll_interval
    delay, errors, downloads = interval, 0, 0
    last: tuple[TaskStatus, float | None] | None = None
    first: tuple[float, float] | None = None  # (time, progress) of the first progress seen
    try:
        while True:
            remaining = job.deadline_at - k.clock()
            if remaining <= 0:
                await timeout(k, job)
                return
            await nap(wake, min(delay, remaining))
            wake.clear()
            try:
                async with k.slot(vendor.id):
                    state = await vendor.poll(task_id)
            except RateLimited as exc:
                errors += 1
                delay = max(exc.retry_after or 0.0, k.backoff(errors, interval))
                continue
            except NotFound:
                await fail(k, job, "task_lost", "failed_vendor", reason_key="reason_task_lost")
                return
            except VendorError as exc:
                errors += 1
                delay = k.backoff(errors, interval)
                log.warning("job %s: poll failed (%s); retrying in %.0fs", job.id, exc, delay)
                continue
            errors = 0
            delay = interval * random.uniform(0.9, 1.1)
            if state.vendor_cost is not None and state.vendor_cost != job.vendor_cost:
                job.vendor_cost = state.vendor_cost  # the operator's real cost, as it settles
                await k.store.update(job.id, k.clock(), JobPatch(vendor_cost=state.vendor_cost))
            if state.status is TaskStatus.RUNNING and state.progress is not None:
                now = k.clock()
                if first is None or state.progress < first[1]:
                    first = (now, state.progress)
                else:
                    delay = next_poll(interval, first, (now, state.progress), delay)
            if state.status is TaskStatus.SUCCEEDED:
                if await fetch(k, job, vendor, state):
                    return
                downloads += 1
                if downloads >= DOWNLOAD_RETRIES:
                    await fail(k, job, "download", "failed_vendor", reason_key="reason_download")
                    return
                delay = k.backoff(downloads, 1.0)
            elif state.status is TaskStatus.FAILED:
                await vendor_failed(k, job, state)
                return
            elif state.status is TaskStatus.CANCELLED:
                await fail(k, job, "vendor_cancelled", "failed_cancelled")
                return
            elif last != (state.status, state.progress):
                last = (state.status, state.progress)
                await progress(k, job, vendor, state)
    finally:
        k.by_task.pop((vendor.id, task_id), None)
        k.queue.vendor_done(job.id)  # the task ended there (or is abandoned): its slot frees


async def progress(k: Kernel, job: Job, vendor: VendorClient, state: TaskState) -> None:
    # Stored in steps (job.progress is the last stored value): the capacity benchmark
    # showed a SQLite write on nearly every poll, since vendors report progress finely.
    stored = job.progress
    if state.progress is not None and (
        stored is None or abs(state.progress - stored) >= PROGRESS_STEP
    ):
        job.progress = state.progress
        await k.store.update(job.id, k.clock(), JobPatch(progress=state.progress))
    if state.status is TaskStatus.QUEUED:
        text = texts.t(job.locale, "status_queued", vendor=vendor.id)
    else:
        bar = texts.progress_bar(state.progress)
        text = texts.t(job.locale, "status_running", bar=bar).rstrip(" …") + ("" if bar else "…")
    text += texts.t(job.locale, "status_left", eta=texts.eta_text(left(k, job), job.locale))
    await emit(k, EventKind.PROGRESS, job, text, state.progress)


def left(k: Kernel, job: Job) -> float:
    """Seconds until a job at its vendor should be delivered, for its status and /jobs."""
    model = job.request.model_shown or job.request.model or ""
    estimate = k.history.estimate(job.vendor or "", model, job.request.duration)
    elapsed = k.clock() - (job.submitted_at or job.updated_at)
    return time_left(estimate, elapsed, job.progress)


async def vendor_failed(k: Kernel, job: Job, state: TaskState) -> None:
    """The vendor reports the task failed: refund, saying why in the user's words."""
    log.info("job %s failed at %s: %s (%s)", job.id, job.vendor, state.failure, state.failure_code)
    said = failures.detail(state.failure_code, state.failure)
    if state.moderated:
        await fail(k, job, "moderated", "failed_moderated", detail=said)
    else:
        reason = failures.reason_key(state.failure_code)
        await fail(k, job, "vendor_failed", "failed_vendor", reason_key=reason, detail=said)
