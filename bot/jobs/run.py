"""The loop that drives one job, step by step, from the state persisted in the store.

Every step starts from the stored state, so a process killed at any moment resumes where
it stood: QUEUED waits its turn in line (a RESERVED job of an older build joins it),
SUBMITTING is recovered, RUNNING is polled, DELIVERING is delivered again. A job whose step
crashes is refunded; if the store refuses even that, the job is run again shortly, so none
stays active undriven.
"""

from __future__ import annotations

import asyncio

from bot.jobs.deliver import deliver
from bot.jobs.kernel import Kernel, log
from bot.jobs.line import take_turn
from bot.jobs.poll import poll
from bot.jobs.settle import fail, queue_timeout, timeout
from bot.jobs.shared_line import line_moved
from bot.jobs.submit import recover_submit
from bot.models import JobState
from bot.storage.base import JobPatch
from bot.storage.errors import StoreUnavailable

WAITING = (JobState.QUEUED, JobState.RESERVED)

RELAUNCH_SECONDS = 30.0  # wait before rerunning a job whose refund the store refused


async def run_job(k: Kernel, job_id: str) -> None:
    try:
        if not await _ours(k, job_id):
            return
        while True:
            job = await k.store.get_job(job_id)
            if job is None or job.state.terminal:
                return
            if job.state is not JobState.DELIVERING and k.clock() >= job.deadline_at:
                await (queue_timeout if job.state in WAITING else timeout)(k, job)
                return
            if job.state is JobState.RESERVED:  # an older build's: never sent, so queue it
                await k.store.transition(
                    job_id, (JobState.RESERVED,), JobState.QUEUED, k.clock(), JobPatch(vendor=None)
                )
            elif job.state is JobState.QUEUED:
                await take_turn(k, job)
            elif job.state is JobState.SUBMITTING:
                async with k.lock(job_id):
                    await recover_submit(k, job)
            elif job.state is JobState.RUNNING:
                await poll(k, job)
            elif job.state is JobState.DELIVERING:
                async with k.lock(job_id):
                    await deliver(k, job)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("job %s crashed; refunding", job_id)
        try:
            job = await k.store.get_job(job_id)
            if job is not None:
                await fail(k, job, "internal", "failed_vendor", reason_key="reason_internal")
        except Exception:  # the store is failing too: a new run retries it from there
            log.exception("job %s: refund failed; trying again shortly", job_id)
            k.spawn(_relaunch(k, job_id), f"relaunch-{job_id[:8]}")
    finally:
        k.locks.pop(job_id, None)
        k.queue.remove(job_id)  # its place in line, or the slots it held, go to the next
        k.queue.release(job_id)
        if k.store.shared:
            line_moved(k)  # in the line every process shares


async def _ours(k: Kernel, job_id: str) -> bool:
    """Whether this process holds the job's lease (taking it if free): another process may
    have taken a job admitted here before this one could. A store failing here leaves the
    job to the next sweep, of whichever process, not to a refund."""
    try:
        return await k.leases.take(job_id)
    except StoreUnavailable as exc:
        log.warning("job %s: cannot take its lease (%s); a sweep will", job_id, exc)
        return False


async def _relaunch(k: Kernel, job_id: str) -> None:
    """Run a job again once its crashed task is gone, so none stays active undriven."""
    await asyncio.sleep(RELAUNCH_SECONDS)
    k.launch(job_id)
