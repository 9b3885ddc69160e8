"""Word between the processes sharing a database, so that a cancel, an operator refund or a
vendor callback reaching one process acts in the process driving the job at once, rather
than at its next sweep (PostgreSQL's LISTEN/NOTIFY; SQLite has one process and no signals).

- A cancel is settled where it arrives (the database is the truth); the job's owner then
  stops driving it.
- `videobot refund` settles in the CLI's process; the owner stops the job's vendor task and
  tells the user (operator.py), now instead of within OPERATOR_SWEEP_SECONDS.
- A vendor callback for a task this process is not polling is passed on; the process that
  is polls it now. At most MAX_RELAYS are on their way at once: the callback URL is public,
  and a dropped one costs only the time to the task's next poll.
"""

from __future__ import annotations

from bot.jobs.kernel import Kernel, log
from bot.storage.errors import StoreUnavailable
from bot.storage.lease_types import JobSignal

CANCELLED = "cancelled"
REFUNDED = "refunded"
WAKE = "wake"
LINE = "line"  # the shared queue moved: a job joined it, or one freed its slots
MAX_RELAYS = 8


def heard(k: Kernel, signal: JobSignal) -> None:
    """Act on a signal from any process (this one's own included: then there is nothing
    left to do)."""
    if signal.what == WAKE:
        wake_here(k, signal.vendor, signal.task_id)
    elif signal.what == CANCELLED and signal.job_id in k.tasks:
        log.info("job %s cancelled in another process; stopping it here", signal.job_id)
        k.spawn(k.let_go(signal.job_id), f"let-go-{signal.job_id[:8]}")
    elif signal.what == REFUNDED:
        k.refunds.set()
    elif signal.what == LINE:
        k.line_event.set()


async def tell(k: Kernel, signal: JobSignal) -> None:
    """Send `signal` to every process; a failing store is logged (the sweeps act later)."""
    try:
        await k.store.signal(signal)
    except StoreUnavailable as exc:
        log.warning("could not signal %s for job %s: %s", signal.what, signal.job_id, exc)


def wake_here(k: Kernel, vendor_id: str, task_id: str) -> bool:
    """Poll the job of (vendor, task) now, if this process is polling it."""
    job_id = k.by_task.get((vendor_id, task_id))
    event = k.wakeups.get(job_id) if job_id else None
    if event is None:
        return False
    event.set()
    return True


def relay_wake(k: Kernel, vendor_id: str, task_id: str) -> None:
    """Pass a vendor callback on to whichever process polls its task."""
    if not k.listening or k.relays >= MAX_RELAYS:
        return
    k.relays += 1
    k.spawn(_relay(k, JobSignal(WAKE, vendor=vendor_id, task_id=task_id)), "relay-wake")


async def _relay(k: Kernel, signal: JobSignal) -> None:
    try:
        await tell(k, signal)
    finally:
        k.relays -= 1
