"""Event fan-out: every job event goes to the observers (metrics, logs) and to the adapter
of the job's platform.

A FAILED event carries a refund notice that stays pending in the store until the adapter
has shown it (`seen`), so a stop in between cannot leave a user refunded unawares; with no
adapter running for that platform, the notice simply stays pending until one does.
"""

from __future__ import annotations

import functools

from bot.events import EventKind, JobEvent
from bot.jobs.kernel import Kernel, log
from bot.models import Job
from bot.storage.base import JobPatch


async def emit(
    k: Kernel,
    kind: EventKind,
    job: Job,
    text: str,
    progress: float | None = None,
    *,
    replayed: bool = False,
) -> None:
    seen = functools.partial(notice_seen, k, job.id) if kind is EventKind.FAILED else None
    event = JobEvent(kind, job, text, progress, seen=seen, replayed=replayed)
    if not replayed:
        for observer in k.observers:
            try:
                observer(event)
            except Exception:
                log.exception("event observer failed")
    sink = k.sinks.get(job.user.platform)
    if sink is None:
        return  # a notice stays pending until that platform's adapter runs
    try:
        await sink.on_event(event)
    except Exception:
        log.exception("job %s: %s adapter failed to show %s", job.id, job.user.platform, kind)
        return
    if seen is not None and not getattr(sink, "acks_notices", False):
        await seen()


async def notice_seen(k: Kernel, job_id: str) -> None:
    await k.store.update(job_id, k.clock(), JobPatch(notice=None))
