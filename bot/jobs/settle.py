"""The endings of a job that refund it: failure, timeout and cancel.

Money moves only through `store.settle`, which charges or refunds a job exactly once:
charged when the adapter has delivered the video (see deliver), refunded here on failure,
cancel or timeout. A second ending of the same job finds it settled and does nothing.
"""

from __future__ import annotations

import enum

from bot import texts
from bot.events import EventKind
from bot.jobs.events import emit
from bot.jobs.kernel import Kernel, log
from bot.jobs.spending import spend_patch
from bot.models import Job, JobState
from bot.storage.base import JobPatch


class CancelResult(enum.Enum):
    """What a cancel request came to."""

    OK = "ok"  # stopped and refunded
    TOO_LATE = "too_late"  # delivering or already ended
    UNKNOWN = "unknown"  # no such job


async def fail(
    k: Kernel, job: Job, code: str, text_key: str, *, reason_key: str | None = None,
    detail: str | None = None, state: JobState = JobState.FAILED,
) -> bool:  # fmt: skip
    """Refund and tell the user, once; False if the job was already settled.

    The notice is stored with the refund and cleared once the adapter has shown it, so
    a stop in between (the chaos run's SIGKILLs) cannot leave a user refunded unawares.
    """
    reason = texts.t(job.locale, reason_key) if reason_key else ""
    text = texts.t(job.locale, text_key, cost=job.cost, reason=reason)
    detail = detail or (texts.t("en", reason_key) if reason_key else code)
    if not await k.store.settle(
        job.id, charge=False, state=state, now=k.clock(),
        patch=spend_patch(
            k, job, JobPatch(error_code=code, error_text=detail[:500], notice=text),
            delivered=False,
        ),
    ):  # fmt: skip
        return False
    job.state, job.error_code = state, code
    log.info(
        "job %s %s (%s) user=%s vendor=%s task=%s refunded=%d",
        job.id, state.value, code, job.user, job.vendor, job.vendor_task_id, job.cost,
    )  # fmt: skip
    await emit(k, EventKind.FAILED, job, text)
    return True


async def timeout(k: Kernel, job: Job) -> None:
    """The job ran out of time: stop its vendor task, if any, and refund."""
    if job.state is JobState.RUNNING:
        await k.cancel_at_vendor(job.id, job.vendor, job.vendor_task_id)
    log.warning("job %s timed out after %.0fs", job.id, k.settings.video_job_timeout)
    await fail(k, job, "timeout", "failed_timeout")


async def cancel(k: Kernel, job_id: str) -> CancelResult:
    """Stop a job and refund it; CancelResult.TOO_LATE once it is delivering or done."""
    async with k.lock(job_id):
        job = await k.store.get_job(job_id)
        if job is None:
            return CancelResult.UNKNOWN
        if job.state.terminal or job.state is JobState.DELIVERING:
            return CancelResult.TOO_LATE
        await k.stop_task(job_id)
        await k.cancel_at_vendor(job.id, job.vendor, job.vendor_task_id)
        done = await fail(k, job, "cancelled", "failed_cancelled", state=JobState.CANCELLED)
        return CancelResult.OK if done else CancelResult.TOO_LATE
