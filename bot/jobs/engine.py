"""JobEngine: the one face of the job phases that the service and the adapters use.

Rules it keeps, each with the phase that carries it out:
- Every step starts from the state persisted in the store, so a process killed at any
  moment resumes where it stood (run).
- A job a vendor has accepted is never submitted again; a create of unknown outcome is
  replayed only under an idempotency key (submit).
- Money moves only through `store.settle`, exactly once per job: charged when the adapter
  has delivered the video (deliver), refunded on failure, cancel or timeout (settle).
- One asyncio task per job; sleeping tasks cost a few KB, so thousands of jobs are cheap.
- A job is driven by the one process holding its lease; several processes on PostgreSQL
  take over the jobs of one that died (leases), hear each other's cancels, refunds and
  vendor callbacks (signals), and share the queue (shared_line).
- A job waits in the bot's own queue until its user and a vendor have a free slot, taken
  in fair turns (queue, line); where it stands and when it should be ready are estimated
  from recent render times (standing).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from bot import texts
from bot.events import DeliveryError, EventKind, JobEvent, JobSink
from bot.jobs.events import emit
from bot.jobs.kernel import Kernel, log
from bot.jobs.line import line_text
from bot.jobs.operator import watch_operator_refunds
from bot.jobs.poll import left
from bot.jobs.run import run_job
from bot.jobs.settle import CancelResult
from bot.jobs.settle import cancel as cancel_job
from bot.jobs.shared_line import dispatch_forever, line_moved
from bot.jobs.signals import CANCELLED, heard, relay_wake, tell, wake_here
from bot.jobs.standing import Standing
from bot.jobs.vendor_health import learn_limits, sync_breakers, watch_vendors
from bot.models import AT_VENDOR_STATES, Job, JobState
from bot.routing.history import KEEP
from bot.storage.lease_types import JobSignal

NOTICE_REPLAY_SECONDS = 86_400.0  # older unseen refund notices are not worth a message


class JobEngine(Kernel):
    """Drives every in-flight job to a delivered or refunded end."""

    async def drive(self, job_id: str) -> None:
        await run_job(self, job_id)

    def subscribe(self, platform: str, sink: JobSink) -> None:
        """Route the events and videos of `platform`'s users to `sink`."""
        self.sinks[platform] = sink

    def observe(self, observer: Callable[[JobEvent], None]) -> None:
        """Call `observer` for every event (metrics, logs); it must not block."""
        self.observers.append(observer)

    async def start(self) -> int:
        """Resume every job in flight that no other process holds, show again the refund
        notices that a stop cut off, and keep the leases from then on; returns how many
        jobs were resumed."""
        self.queue.closed = False
        self.history.load(await self.store.render_history(KEEP))
        await sync_breakers(self)  # open and held vendors stay so over a restart
        await learn_limits(self)
        log.info("process %s: job leases of %.0fs", self.leases.owner, self.leases.seconds)
        if not self.listening:
            self.listening = await self.store.listen(lambda signal: heard(self, signal))
        jobs = await self.leases.claim()
        self.adopt(jobs)
        self.started.set()
        if jobs:
            log.info("resumed %d in-flight job(s)", len(jobs))
        now = self.clock()
        notices = await self.store.pending_notices(now - NOTICE_REPLAY_SECONDS)
        for job, text in notices:
            await emit(self, EventKind.FAILED, job, text, replayed=True)
        if notices:
            log.info("showing %d refund notice(s) that a stop cut off", len(notices))
        shown = {job.id for job, _ in notices}
        self.spawn(watch_operator_refunds(self, now, shown), "operator-refunds")
        self.spawn(watch_vendors(self), "vendor-health")
        self.spawn(self.leases.keep(self.adopt, self.let_go), "job-leases")
        if self.store.shared:
            self.spawn(dispatch_forever(self), "shared-queue")
        return len(jobs)

    def adopt(self, jobs: list[Job]) -> None:
        """Drive jobs whose leases this process just took (at start, or from a process that
        died), as a restart would: the queue as it stood, slots held, then the line in age
        order."""
        for job in sorted(jobs, key=lambda j: (j.created_at, j.id)):
            admin = self.settings.is_admin(job.user)
            if job.state in AT_VENDOR_STATES:
                self.queue.hold(job, admin)
            elif job.state is JobState.QUEUED:
                self.queue.enqueue(job, admin)
        for job in jobs:
            self.launch(job.id)

    def admit(self, job: Job) -> Standing | None:
        """Put a just reserved job in line and start driving it; where it stands, for the
        reply that accepts it. With several processes the job waits in the database's line
        for whichever process has room (shared_line), and its place is not known here."""
        if self.store.shared:
            line_moved(self)
            return None
        ticket = self.queue.enqueue(job, self.settings.is_admin(job.user))
        self.queue.pump()  # now, so a job with a free slot is told so without a replay
        self.launch(job.id)
        if ticket.granted is not None:
            return self.standings.starting(ticket.granted, ticket.model, ticket.duration)
        return self.standings.of(job.id)

    def status_line(self, job: Job) -> str | None:
        """The job's place in line and ETA while it waits, or its time left at the vendor
        (for /jobs); None once it is being delivered or has ended."""
        if job.state is JobState.QUEUED:
            standing = self.standings.of(job.id)
            return line_text(standing, job.locale) if standing is not None else None
        if job.state in (JobState.SUBMITTING, JobState.RUNNING):
            eta = texts.eta_text(left(self, job), job.locale)
            return texts.t(job.locale, "status_left", eta=eta).removeprefix(" · ")
        return None

    async def stop(self) -> None:
        """Stop working without touching job states; a later start() resumes them."""
        self.queue.closed = True  # the jobs stopping here free no slot for another to take
        tasks = [*self.tasks.values(), *self.helpers]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.tasks.clear()
        self.helpers.clear()
        if self.started.is_set():
            await self.leases.release()  # another process may take the jobs over at once

    async def wait(self, job_ids: list[str] | None = None) -> None:
        """Wait until the given jobs (default: all) have stopped running here."""
        await self.started.wait()
        while True:
            tasks = [t for j, t in self.tasks.items() if job_ids is None or j in job_ids]
            if not tasks:
                return
            await asyncio.wait(tasks)

    @property
    def in_flight(self) -> int:
        return len(self.tasks)

    @property
    def queued(self) -> int:
        """Jobs of this process waiting in the bot's queue for a vendor slot."""
        return len(self.queue.tickets)

    def wake(self, vendor_id: str, task_id: str) -> bool:
        """A vendor callback says the task changed: poll it now instead of at the next tick
        (in whichever process polls it); True when this one does."""
        if wake_here(self, vendor_id, task_id):
            return True
        relay_wake(self, vendor_id, task_id)
        return False

    async def show(self, job: Job, video: Path, caption: str) -> None:
        """Send a kept video again (/show) through the adapter of `job.user`'s platform, to
        `job.chat`; DeliveryError when it could not. No state or money changes: the job
        was delivered and charged before. A sink may answer /show its own way (`show`)."""
        sink = self.sinks.get(job.user.platform)
        if sink is None:
            raise DeliveryError(f"no {job.user.platform} adapter is running", permanent=True)
        send = getattr(sink, "show", None) or sink.deliver
        await send(job, video, caption)

    async def cancel(self, job_id: str) -> CancelResult:
        """Stop a job and refund it; CancelResult.TOO_LATE once it is delivering or done.
        A job another process drives is settled here, and that process told to let it go."""
        driven_here = job_id in self.tasks
        result = await cancel_job(self, job_id)
        if result is CancelResult.OK and not driven_here and self.listening:
            await tell(self, JobSignal(CANCELLED, job_id))
        return result
