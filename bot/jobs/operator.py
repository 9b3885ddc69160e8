"""Acting on refunds made with the admin CLI (`videobot refund`), which runs in another
process: it settles the job in the database and leaves a notice; the bot driving the job
finds it at once when the CLI's signal reaches it (PostgreSQL), else within
OPERATOR_SWEEP_SECONDS, stops the job's vendor task if it was tracking it, and tells the
user. Only the job's owner acts, so several processes tell the user once.
"""

from __future__ import annotations

from bot.events import EventKind
from bot.jobs.events import emit
from bot.jobs.kernel import Kernel, log
from bot.jobs.poll import nap
from bot.models import Job

OPERATOR_REFUND = "manual_refund"  # error code of a refund made with `videobot refund`
OPERATOR_SWEEP_SECONDS = 10.0  # how soon a running bot acts on such a refund


async def watch_operator_refunds(k: Kernel, since: float, shown: set[str]) -> None:
    """Find operator refunds from `since` on; the `shown` ones were shown at start()."""
    while True:
        await nap(k.refunds, OPERATOR_SWEEP_SECONDS)  # not wait_for: it can lose a cancel
        k.refunds.clear()
        try:
            found = await k.store.pending_notices(since, error_code=OPERATOR_REFUND)
        except Exception:
            log.exception("looking for operator refunds failed")
            continue
        shown &= {job.id for job, _ in found}  # the rest have been seen: forget them
        for job, text in found:
            ours = job.id in k.tasks or job.owner in (None, k.leases.owner)
            if ours and job.id not in shown:
                shown.add(job.id)
                k.spawn(operator_refunded(k, job, text), f"refunded-{job.id[:8]}")


async def operator_refunded(k: Kernel, job: Job, text: str) -> None:
    """Stop the refunded job's work here and at its vendor, and tell the user."""
    tracked = job.id in k.tasks
    if tracked:
        async with k.lock(job.id):  # let a submit or a hand-over in progress finish
            await k.stop_task(job.id)
    # A hand-over that finished meanwhile cleared the notice: the user has the video.
    pending = await k.store.pending_notices(job.updated_at, error_code=OPERATOR_REFUND)
    if all(found.id != job.id for found, _ in pending):
        return
    if tracked:
        await k.cancel_at_vendor(job.id, job.vendor, job.vendor_task_id)
    log.info(
        "job %s refunded by an operator user=%s vendor=%s task=%s refunded=%d",
        job.id, job.user, job.vendor, job.vendor_task_id, job.cost,
    )  # fmt: skip
    await emit(k, EventKind.FAILED, job, text)
