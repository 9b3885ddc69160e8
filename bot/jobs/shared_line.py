"""The bot's queue when several processes share a PostgreSQL database: the line is in the
database (bot/storage/queue_types.py), and whichever process a vendor has room for takes the
next job in it, so MAX_JOBS_PER_USER, each vendor's limit and the users' turns hold across
processes.

- A job admitted here waits unowned in that line; its reply names no place in it.
- Each process looks at the line when word comes that it moved (a job joined, or one ended
  and freed its slots, here or in another process: a `line` signal, sent at most every
  LINE_SIGNAL_SECONDS per process) and every DISPATCH_SECONDS anyway. For each healthy
  vendor, in VIDEO_VENDORS order, it claims jobs until none may go; each claimed job is
  held here as granted and driven as any other (submit, poll, deliver).
- A job a vendor refused goes on waiting in this process's own line for its next vendor.
"""

from __future__ import annotations

import asyncio

from bot.jobs.kernel import Kernel, log
from bot.jobs.poll import nap
from bot.jobs.signals import LINE, tell
from bot.storage.errors import StoreUnavailable
from bot.storage.lease_types import JobSignal
from bot.storage.queue_types import Room

DISPATCH_SECONDS = 2.0
LINE_SIGNAL_SECONDS = 0.1


def line_moved(k: Kernel) -> None:
    """A job joined the line or freed its slots here: look now, and tell the others soon
    (not while stopping: the jobs stopping here free no slot)."""
    k.line_event.set()
    if not k.line_signal_due and not k.queue.closed:
        k.line_signal_due = True
        k.spawn(_tell_soon(k), "line-signal")


async def _tell_soon(k: Kernel) -> None:
    await asyncio.sleep(LINE_SIGNAL_SECONDS)  # a burst of changes makes one signal
    k.line_signal_due = False
    await tell(k, JobSignal(LINE))


async def dispatch_forever(k: Kernel) -> None:
    """Take jobs from the shared line whenever it may have moved, until cancelled."""
    while True:
        # nap, not asyncio.wait_for: that can lose a cancel arriving as the event is set
        # (as a stop's ending jobs set it), and then the loop would never end.
        await nap(k.line_event, DISPATCH_SECONDS)
        k.line_event.clear()
        try:
            await dispatch(k)
        except StoreUnavailable as exc:
            log.error("taking jobs from the shared queue failed: %s", exc)


async def dispatch(k: Kernel) -> int:
    """Claim every job the healthy vendors may take now; how many were claimed."""
    taken = 0
    admins = frozenset(k.settings.admin_user_ids)
    for vendor in k.vendors:
        while not k.queue.closed and k.breakers.allows(vendor):
            room = Room(vendor, k.queue.capacity[vendor], k.settings.max_jobs_per_user, admins)
            now = k.clock()
            job = await k.store.claim_queued(room, k.leases.owner, now, now + k.leases.seconds)
            if job is None:
                break
            k.leases.held.add(job.id)
            probe = k.queue.granted(job, vendor, k.settings.is_admin(job.user))
            k.launch(job.id)
            taken += 1
            if probe:  # a half-open vendor takes one job to try it
                break
    return taken
