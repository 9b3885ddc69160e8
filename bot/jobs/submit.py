"""Creating a job's task at a vendor, with failover to the next vendor.

- A job a vendor has accepted is never submitted again. A create whose outcome is unknown
  (SUBMITTING after a crash, or a dropped connection) is replayed only where the vendor
  honours an idempotency key; otherwise the job fails with a refund and an operator log line.
- A vendor that refuses the job (auth, credits, bad request, rate limit or errors that go
  on) sends it on to the next vendor the job lists; nothing was created there.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot import texts
from bot.errors import (
    AuthError,
    BadRequest,
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
from bot.models import Job, JobState, VideoRequest
from bot.storage.base import JobPatch
from bot.vendors.base import VendorClient

SUBMIT_RETRIES = 3


def request_from(job: Job, media: dict[str, Any]) -> VideoRequest:
    """The VideoRequest of a persisted job: its stored request plus its stored media."""
    return job.request.with_media(media)


async def submit(k: Kernel, job: Job) -> None:
    """Submit a RESERVED job to its vendors in order; refund when none takes it."""
    req = request_from(job, await k.store.media(job.id))
    last: VendorError | None = None
    for vendor_id in job.request.vendors:
        vendor = k.vendors.get(vendor_id)
        if vendor is None:
            continue
        key = f"{job.id}-{vendor_id}"
        if not await k.store.transition(
            job.id, (JobState.RESERVED,), JobState.SUBMITTING, k.clock(),
            JobPatch(vendor=vendor_id, idempotency_key=key),
        ):  # fmt: skip
            return
        outcome = await submit_to(k, job, vendor, req, key)
        if outcome is None:
            return  # accepted, or the job was settled
        last = outcome
        await k.store.transition(
            job.id, (JobState.SUBMITTING,), JobState.RESERVED, k.clock(), JobPatch(vendor=None)
        )
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
    while True:
        try:
            async with k.slot(vendor.id):
                task_id = await vendor.submit(
                    req, idempotency_key=key, callback_url=k.callback_url(vendor.id)
                )
        except UnknownOutcome as exc:
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
            await fail(k, job, "moderated", "failed_moderated")
            return None
        except (AuthError, OutOfCredits) as exc:
            log.error("job %s: vendor %s needs the operator: %s", job.id, vendor.id, exc)
            return exc
        except BadRequest as exc:
            log.warning("job %s: %s", job.id, exc)
            return exc
        except RateLimited as exc:
            wait = exc.retry_after if exc.retry_after is not None else k.backoff(tries + 1)
            if tries >= SUBMIT_RETRIES or wait > 60:
                log.warning("job %s: %s; trying the next vendor", job.id, exc)
                return exc
            tries += 1
            await asyncio.sleep(wait)
            continue
        except VendorError as exc:  # Transient and anything unforeseen: nothing created
            if tries >= SUBMIT_RETRIES - 1:
                log.warning("job %s: %s; trying the next vendor", job.id, exc)
                return exc
            tries += 1
            await asyncio.sleep(k.backoff(tries))
            continue
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
