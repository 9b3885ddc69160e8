"""A job waiting in the bot's queue: its place in line shown as the line moves, then its
turn at a vendor.

The wait has its own limit, VIDEO_QUEUE_TIMEOUT (the job's deadline while QUEUED); the
job's own VIDEO_JOB_TIMEOUT starts only when it is sent to a vendor (submit).
"""

from __future__ import annotations

import asyncio

from bot import texts
from bot.events import EventKind
from bot.jobs.events import emit
from bot.jobs.kernel import Kernel
from bot.jobs.poll import nap
from bot.jobs.settle import fail, queue_timeout
from bot.jobs.standing import Standing
from bot.jobs.submit import submit
from bot.models import Job

STATUS_REFRESH = 30.0  # the estimate is looked at again this often while the line stands
SETTLE_SECONDS = 0.2


def line_text(standing: Standing, locale: str) -> str:
    """ "⏳ 3rd in line · ready in about 4 min" (or "Starting" when a slot is free)."""
    eta = texts.eta_text(standing.eta, locale)
    if standing.starts_now:
        return texts.t(locale, "status_starting", eta=eta)
    return texts.t(locale, "status_in_line", place=texts.ordinal(standing.place, locale), eta=eta)


async def take_turn(k: Kernel, job: Job) -> None:
    """Wait in line until the dispatcher grants the job a vendor, then submit it there."""
    ticket = k.queue.enqueue(job, k.settings.is_admin(job.user))
    shown = ""
    while ticket.granted is None:
        left = job.deadline_at - k.clock()
        if left <= 0:
            await queue_timeout(k, job)
            return
        vendors = k.queue.left_to_try(ticket)
        if not vendors or all(k.breakers.state(v) == "held" for v in vendors):
            # Waiting would not help: no vendor left that could take it without an operator.
            k.queue.remove(job.id)
            await fail(k, job, "unavailable", "failed_unavailable")
            return
        standing = k.standings.of(job.id)
        if standing is not None and (text := line_text(standing, job.locale)) != shown:
            shown = text
            await emit(k, EventKind.PROGRESS, job, text)
        await nap(ticket.wake, min(left, STATUS_REFRESH))
        if ticket.granted is None:
            # The line moves in bursts (a slot frees, several turns are taken): let it
            # settle, so the standings are played once per burst rather than per move.
            await asyncio.sleep(SETTLE_SECONDS)
        ticket.wake.clear()
    k.queue.picked(job.id)
    async with k.lock(job.id):
        await submit(k, job, ticket)
