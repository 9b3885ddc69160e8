"""Creating a job's task at the vendor the queue granted, with failover to the next vendor.

- A job a vendor has accepted is never submitted again. A create whose outcome is unknown
  (SUBMITTING after a crash, or a dropped connection) is replayed only where the vendor
  honours an idempotency key; otherwise the job fails with a refund and an operator log line.
- A vendor that refuses the job (auth, credits, bad request, rate limit or errors that go
  on) sends it back in line for the next vendor the job lists; nothing was created there.
  One whose generations of the model are used up for the day (DailyLimit) sends it back in
  line for another vendor or for the next UTC day.
- Every create's outcome feeds the vendor's breaker (bot/routing/breaker.py): errors that
  may pass count towards opening it; out of credits or a refused key hold it for an operator.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot import texts
from bot.errors import (
    AuthError,
    BadRequest,
    DailyLimit,
    ModelUnavailable,
    Moderated,
    OutOfCredits,
    RateLimited,
    UnknownOutcome,
    VendorError,
)
from bot.events import EventKind
from bot.jobs.accepted import record_accepted
from bot.jobs.events import emit
from bot.jobs.kernel import Kernel, log
from bot.jobs.settle import fail
from bot.jobs.turns import Ticket
from bot.jobs.vendor_health import vendor_held
from bot.models import Job, JobState, VideoRequest
from bot.storage.base import JobPatch
from bot.vendors.base import VendorClient

SUBMIT_RETRIES = 3


def request_from(job: Job, media: dict[str, Any]) -> VideoRequest:
    """The VideoRequest of a persisted job: its stored request plus its stored media."""
    return job.request.with_media(media)


async def submit(k: Kernel, job: Job, ticket: Ticket) -> None:
    """Submit a QUEUED job to the vendor its turn granted; when that vendor refuses it, put
    it back in line for the next vendor it lists, or refund it when none is left."""
    vendor_id = ticket.granted or ""
    vendor = k.vendors[vendor_id]
    now = k.clock()
    key = f"{job.id}-{vendor_id}"
    deadline = now + k.settings.video_job_timeout  # the job's own time starts here
    if not await k.store.transition(
        job.id, (JobState.QUEUED,), JobState.SUBMITTING, now,
        JobPatch(vendor=vendor_id, idempotency_key=key, submitted_at=now, deadline_at=deadline),
    ):  # fmt: skip
        return  # settled meanwhile; run_job's end frees the slot
    job.state, job.vendor, job.submitted_at, job.deadline_at = (
        JobState.SUBMITTING, vendor_id, now, deadline,
    )  # fmt: skip
    req = request_from(job, await k.store.media(job.id))
    last = await submit_to(k, job, vendor, req, key)
    if last is None:
        return  # accepted, or the job was settled
    for_today = isinstance(last, DailyLimit)
    if for_today or [v for v in k.queue.left_to_try(ticket) if v != vendor_id]:
        back = k.clock()
        wait = JobPatch(
            vendor=None, submitted_at=None, deadline_at=back + k.settings.video_queue_timeout
        )
        if await k.store.transition(job.id, (JobState.SUBMITTING,), JobState.QUEUED, back, wait):
            k.queue.requeue(ticket, vendor_id, for_today=for_today)
        return
    if isinstance(last, ModelUnavailable):  # every vendor of the model refused it to us
        await fail(k, job, last.code, "failed_vendor", reason_key="reason_model", detail=str(last))
    elif isinstance(last, BadRequest):  # the vendor's words go to the stored error only
        await fail(
            k, job, "bad_request", "failed_vendor", reason_key="reason_request", detail=str(last)
        )
    else:
        await fail(k, job, "unavailable", "failed_unavailable")


async def submit_to(
    k: Kernel, job: Job, vendor: VendorClient, req: VideoRequest, key: str
) -> VendorError | None:
    """Create the task at one vendor. None when done with the job; else the error that
    sends it on to the next vendor (nothing was created here)."""
    tries = 0
    last: VendorError | None = None
    while True:
        if last is not None and not k.breakers.allows(vendor.id):
            return last  # other jobs' failures opened its breaker while this one waited
        try:
            async with k.slot(vendor.id):
                task_id = await vendor.submit(
                    req, idempotency_key=key, callback_url=k.callback_url(vendor.id)
                )
        except UnknownOutcome as exc:
            k.breakers.failed(vendor.id)
            last = None  # it may exist there now: replay under its key, never go elsewhere
            if vendor.supports_idempotency and tries < SUBMIT_RETRIES:
                tries += 1
                log.warning("job %s: %s; replaying with its idempotency key", job.id, exc)
                await asyncio.sleep(k.backoff(tries))
                continue
            log.error(
                "job %s: create at %s may have succeeded (%s); not resubmitting, refunding. "
                "Check the vendor dashboard for an orphaned task.",
                job.id, vendor.id, exc,
            )  # fmt: skip
            await fail(k, job, "unknown_outcome", "failed_unavailable")
            return None
        except Moderated as exc:
            log.info("job %s: %s", job.id, exc)
            k.breakers.succeeded(vendor.id)
            await fail(k, job, "moderated", "failed_moderated")
            return None
        except (AuthError, OutOfCredits) as exc:
            log.error("job %s: vendor %s needs the operator: %s", job.id, vendor.id, exc)
            await vendor_held(k, vendor.id, exc)
            return exc
        except BadRequest as exc:
            log.warning("job %s: %s", job.id, exc)
            return exc
        except DailyLimit as exc:  # not the vendor's health: its breaker is left alone
            log.warning(
                "job %s: %s; skipping %s for the model until tomorrow", job.id, exc, vendor.id
            )
            model = job.request.model_shown or job.request.model or ""
            k.queue.daily.refused_for_today(vendor.id, model)
            return exc
        except RateLimited as exc:
            k.breakers.failed(vendor.id)
            last = exc
            wait = exc.retry_after if exc.retry_after is not None else k.backoff(tries + 1)
            if tries >= SUBMIT_RETRIES or wait > 60 or not k.breakers.allows(vendor.id):
                log.warning("job %s: %s; trying the next vendor", job.id, exc)
                return exc
            tries += 1
            await asyncio.sleep(wait)
            continue
        except VendorError as exc:  # Transient and anything unforeseen: nothing created
            k.breakers.failed(vendor.id)
            last = exc
            if tries >= SUBMIT_RETRIES - 1 or not k.breakers.allows(vendor.id):
                log.warning("job %s: %s; trying the next vendor", job.id, exc)
                return exc
            tries += 1
            await asyncio.sleep(k.backoff(tries))
            continue
        if k.breakers.succeeded(vendor.id):
            k.queue.poke()  # the jobs waiting for it may go now
        await _accepted(k, job, vendor, task_id)
        return None


async def _accepted(k: Kernel, job: Job, vendor: VendorClient, task_id: str) -> None:
    """Record the vendor's task as the job's, or stop it there if the job cannot have it."""
    try:
        recorded = await record_accepted(k.store, job.id, task_id, k.clock)
    except Exception:
        log.exception("job %s: cannot record task %s; cancelling it", job.id, task_id)
        await k.cancel_at_vendor(job.id, vendor.id, task_id)
        said = f"task {task_id} at {vendor.id} not recorded; cancelled there"
        await fail(k, job, "storage", "failed_storage", detail=said)
        return
    if not recorded:
        # Settled while the create was on the wire (`videobot refund`): the task
        # belongs to no job, so stop it rather than let it render for nobody.
        log.warning("job %s was settled during its create; cancelling %s", job.id, task_id)
        await k.cancel_at_vendor(job.id, vendor.id, task_id)
        return
    job.state, job.vendor, job.vendor_task_id = JobState.RUNNING, vendor.id, task_id
    log.info("job %s running user=%s vendor=%s task=%s", job.id, job.user, vendor.id, task_id)
    await emit(k, EventKind.ACCEPTED, job, texts.t(job.locale, "status_queued", vendor=vendor.id))


async def recover_submit(k: Kernel, job: Job) -> None:
    """A create was on the wire when the process died: replay it only if it is safe."""
    vendor = k.vendors.get(job.vendor or "")
    if vendor is not None and vendor.supports_idempotency:
        req = request_from(job, await k.store.media(job.id))
        log.info("job %s: replaying an interrupted create at %s", job.id, vendor.id)
        if await submit_to(k, job, vendor, req, f"{job.id}-{vendor.id}") is None:
            return
    log.error(
        "job %s: the process stopped while creating it at %s; outcome unknown, refunding "
        "instead of risking a second paid task",
        job.id, job.vendor,
    )  # fmt: skip
    await fail(k, job, "unknown_outcome", "failed_unavailable")
