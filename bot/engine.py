"""The job engine: submit, poll, download, deliver, and resume after a restart.

Rules it keeps:
- Every step starts from the state persisted in the store, so a process killed at any
  moment resumes where it stood: RESERVED is submitted, RUNNING is polled, DELIVERING is
  delivered again.
- A job a vendor has accepted is never submitted again. A create whose outcome is unknown
  (SUBMITTING after a crash, or a dropped connection) is replayed only where the vendor
  honours an idempotency key; otherwise the job fails with a refund and an operator log line.
- Money moves only through `store.settle`, which charges or refunds a job exactly once:
  charged when the adapter has delivered the video, refunded on failure, cancel or timeout.
- One asyncio task per job; sleeping tasks cost a few KB, so thousands of jobs are cheap.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx

from bot import failures, texts
from bot.accepted import record_accepted
from bot.config import Settings
from bot.errors import (
    AuthError,
    BadRequest,
    Moderated,
    NotFound,
    OutOfCredits,
    RateLimited,
    UnknownOutcome,
    VendorError,
)
from bot.events import DeliveryError, EventKind, JobEvent, JobSink
from bot.fetch import Refusal, ResultFetcher
from bot.models import Job, JobState, TaskState, TaskStatus, VideoRequest
from bot.storage.base import Store
from bot.vendors.base import VendorClient

log = logging.getLogger("videobot.engine")

SUBMIT_RETRIES = 3
DELIVERY_RETRIES = 5
DOWNLOAD_RETRIES = 4
NOTICE_REPLAY_SECONDS = 86_400.0  # older unseen refund notices are not worth a message
PROGRESS_STEP = 0.1  # store progress when it moved this much (events still see every poll)
# Calls in flight per vendor, below its HTTP pool (64 connections). With 10,000 jobs, py-spy
# put over half of the bot's CPU in httpcore's pool scanning its queue of waiting requests
# (quadratic in the queue); a semaphore queues them cheaply instead, and none times out
# waiting for a connection.
MAX_VENDOR_CALLS = 32
MAX_ETA_SLEEP = 120.0  # longest sleep between two polls that a progress estimate may pick
OPERATOR_REFUND = "manual_refund"  # error code of a refund made with `videobot refund`
OPERATOR_SWEEP_SECONDS = 10.0  # how soon a running bot acts on such a refund
RELAUNCH_SECONDS = 30.0  # wait before rerunning a job whose refund the store refused


def next_poll(
    interval: float, first: tuple[float, float], now: tuple[float, float], default: float
) -> float:
    """Seconds to the next poll, from the progress rate the vendor has shown so far.

    The capacity benchmark showed polls as nearly all of the bot's work with 10,000 jobs
    in flight. While the finish is far off (more than two intervals by the rate seen since
    the first progress report), sleep through three quarters of the time left; near it,
    poll at the estimated finish but never more than one interval out, so a task that
    ends sooner than its rate promised is still seen within one interval.
    """
    (t0, p0), (t1, p1) = first, now
    if t1 <= t0 or p1 <= p0 or p1 >= 1.0:
        return default
    left = (1.0 - p1) * (t1 - t0) / (p1 - p0)
    if left > 2 * interval:
        return min(MAX_ETA_SLEEP, 0.75 * left)
    return max(interval / 4, min(default, left + interval / 20))


async def _nap(wake: asyncio.Event, seconds: float) -> None:
    """Sleep `seconds`, or less if `wake` is set meanwhile.

    Not `asyncio.wait_for(wake.wait(), seconds)`: that made a task and raised a TimeoutError
    (a frame cycle left for the garbage collector) per poll of each of 10,000 jobs, and the
    capacity run showed the collector taking up to a fifth of the event loop.
    """
    timer = asyncio.get_running_loop().call_later(seconds, wake.set)
    try:
        await wake.wait()
    finally:
        timer.cancel()


def request_from(job: Job, media: dict[str, Any]) -> VideoRequest:
    """The VideoRequest of a persisted job: its stored request plus its stored media."""
    return job.request.with_media(media)


class CancelResult:
    OK = "ok"
    TOO_LATE = "too_late"
    UNKNOWN = "unknown"


class JobEngine:
    """Drives every in-flight job to a delivered or refunded end."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        vendors: dict[str, VendorClient],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.store = store
        self.vendors = vendors
        self.clock = clock
        self.videos_dir = settings.work_dir / "videos"
        self.fetcher = ResultFetcher(settings, self.videos_dir, lambda: self.clock())
        self._sinks: dict[str, JobSink] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._wakeups: dict[str, asyncio.Event] = {}
        self._by_task: dict[tuple[str, str], str] = {}
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._observers: list[Callable[[JobEvent], None]] = []
        self._helpers: set[asyncio.Task[None]] = set()
        self.started = asyncio.Event()

    # wiring

    def subscribe(self, platform: str, sink: JobSink) -> None:
        """Route the events and videos of `platform`'s users to `sink`."""
        self._sinks[platform] = sink

    def observe(self, observer: Callable[[JobEvent], None]) -> None:
        """Call `observer` for every event (metrics, logs); it must not block."""
        self._observers.append(observer)

    async def start(self) -> int:
        """Resume every job that was in flight, and show again the refund notices that a
        stop cut off; returns how many jobs were resumed."""
        jobs = await self.store.active_jobs()
        for job in jobs:
            self.launch(job.id)
        self.started.set()
        if jobs:
            log.info("resumed %d in-flight job(s)", len(jobs))
        now = self.clock()
        notices = await self.store.pending_notices(now - NOTICE_REPLAY_SECONDS)
        for job, text in notices:
            await self._emit(EventKind.FAILED, job, text, replayed=True)
        if notices:
            log.info("showing %d refund notice(s) that a stop cut off", len(notices))
        shown = {job.id for job, _ in notices}
        self._spawn(self._watch_operator_refunds(now, shown), "operator-refunds")
        return len(jobs)

    async def stop(self) -> None:
        """Stop working without touching job states; a later start() resumes them."""
        tasks = [*self._tasks.values(), *self._helpers]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        self._helpers.clear()

    def _spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(work, name=name)
        self._helpers.add(task)
        task.add_done_callback(self._helpers.discard)

    def launch(self, job_id: str) -> None:
        if job_id in self._tasks:
            return
        task = asyncio.create_task(self._run(job_id), name=f"job-{job_id[:8]}")
        self._tasks[job_id] = task
        task.add_done_callback(lambda _t: self._forget(job_id, _t))

    async def _relaunch(self, job_id: str) -> None:
        """Run a job again once its crashed task is gone, so none stays active undriven."""
        await asyncio.sleep(RELAUNCH_SECONDS)
        self.launch(job_id)

    def _forget(self, job_id: str, task: asyncio.Task[None]) -> None:
        if self._tasks.get(job_id) is task:
            del self._tasks[job_id]
            self._wakeups.pop(job_id, None)

    async def wait(self, job_ids: list[str] | None = None) -> None:
        """Wait until the given jobs (default: all) have stopped running here."""
        await self.started.wait()
        while True:
            tasks = [t for j, t in self._tasks.items() if job_ids is None or j in job_ids]
            if not tasks:
                return
            await asyncio.wait(tasks)

    @property
    def in_flight(self) -> int:
        return len(self._tasks)

    def wake(self, vendor_id: str, task_id: str) -> bool:
        """A vendor callback says the task changed: poll it now instead of at the next tick."""
        job_id = self._by_task.get((vendor_id, task_id))
        event = self._wakeups.get(job_id) if job_id else None
        if event is None:
            return False
        event.set()
        return True

    def _lock(self, job_id: str) -> asyncio.Lock:
        return self._locks.setdefault(job_id, asyncio.Lock())

    # the job loop

    async def _run(self, job_id: str) -> None:
        try:
            while True:
                job = await self.store.get_job(job_id)
                if job is None or job.state.terminal:
                    return
                if job.state is not JobState.DELIVERING and self.clock() >= job.deadline_at:
                    await self._timeout(job)
                    return
                if job.state is JobState.RESERVED:
                    async with self._lock(job_id):
                        await self._submit(job)
                elif job.state is JobState.SUBMITTING:
                    async with self._lock(job_id):
                        await self._recover_submit(job)
                elif job.state is JobState.RUNNING:
                    await self._poll(job)
                elif job.state is JobState.DELIVERING:
                    async with self._lock(job_id):
                        await self._deliver(job)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("job %s crashed; refunding", job_id)
            try:
                job = await self.store.get_job(job_id)
                if job is not None:
                    await self._fail(job, "internal", "failed_vendor", reason_key="reason_internal")
            except Exception:  # the store is failing too: a new run retries it from there
                log.exception("job %s: refund failed; trying again shortly", job_id)
                self._spawn(self._relaunch(job_id), f"relaunch-{job_id[:8]}")
        finally:
            self._locks.pop(job_id, None)

    async def _submit(self, job: Job) -> None:
        req = request_from(job, await self.store.media(job.id))
        last: VendorError | None = None
        for vendor_id in job.request.vendors:
            vendor = self.vendors.get(vendor_id)
            if vendor is None:
                continue
            key = f"{job.id}-{vendor_id}"
            if not await self.store.transition(
                job.id, (JobState.RESERVED,), JobState.SUBMITTING, self.clock(),
                vendor=vendor_id, idempotency_key=key,
            ):  # fmt: skip
                return
            outcome = await self._submit_to(job, vendor, req, key)
            if outcome is None:
                return  # accepted, or the job was settled
            last = outcome
            await self.store.transition(
                job.id, (JobState.SUBMITTING,), JobState.RESERVED, self.clock(), vendor=None
            )
        if isinstance(last, BadRequest):  # the vendor's words go to the stored error only
            await self._fail(
                job, "bad_request", "failed_vendor", reason_key="reason_request", detail=str(last)
            )
        else:
            await self._fail(job, "unavailable", "failed_unavailable")

    async def _submit_to(
        self, job: Job, vendor: VendorClient, req: VideoRequest, key: str
    ) -> VendorError | None:
        """Create the task at one vendor. None when done with the job; else the error that
        sends it on to the next vendor (nothing was created here)."""
        tries = 0
        while True:
            try:
                async with self._slot(vendor.id):
                    task_id = await vendor.submit(
                        req, idempotency_key=key, callback_url=self._callback_url(vendor.id)
                    )
            except UnknownOutcome as exc:
                if vendor.supports_idempotency and tries < SUBMIT_RETRIES:
                    tries += 1
                    log.warning("job %s: %s; replaying with its idempotency key", job.id, exc)
                    await asyncio.sleep(self._backoff(tries))
                    continue
                log.error(
                    "job %s: create at %s may have succeeded (%s); not resubmitting, refunding. "
                    "Check the vendor dashboard for an orphaned task.",
                    job.id, vendor.id, exc,
                )  # fmt: skip
                await self._fail(job, "unknown_outcome", "failed_unavailable")
                return None
            except Moderated as exc:
                log.info("job %s: %s", job.id, exc)
                await self._fail(job, "moderated", "failed_moderated")
                return None
            except (AuthError, OutOfCredits) as exc:
                log.error("job %s: vendor %s needs the operator: %s", job.id, vendor.id, exc)
                return exc
            except BadRequest as exc:
                log.warning("job %s: %s", job.id, exc)
                return exc
            except RateLimited as exc:
                wait = exc.retry_after if exc.retry_after is not None else self._backoff(tries + 1)
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
                await asyncio.sleep(self._backoff(tries))
                continue
            try:
                recorded = await record_accepted(self.store, job.id, task_id, self.clock)
            except Exception:
                log.exception("job %s: cannot record task %s; cancelling it", job.id, task_id)
                await self._cancel_at_vendor(job.id, vendor.id, task_id)
                said = f"task {task_id} at {vendor.id} not recorded; cancelled there"
                await self._fail(job, "storage", "failed_storage", detail=said)
                return None
            if not recorded:
                # Settled while the create was on the wire (`videobot refund`): the task
                # belongs to no job, so stop it rather than let it render for nobody.
                log.warning("job %s was settled during its create; cancelling %s", job.id, task_id)
                await self._cancel_at_vendor(job.id, vendor.id, task_id)
                return None
            job.state, job.vendor, job.vendor_task_id = JobState.RUNNING, vendor.id, task_id
            log.info(
                "job %s running user=%s vendor=%s task=%s", job.id, job.user, vendor.id, task_id
            )
            await self._emit(
                EventKind.ACCEPTED, job, texts.t(job.locale, "status_queued", vendor=vendor.id)
            )
            return None

    async def _recover_submit(self, job: Job) -> None:
        """A create was on the wire when the process died: replay it only if it is safe."""
        vendor = self.vendors.get(job.vendor or "")
        if vendor is not None and vendor.supports_idempotency:
            req = request_from(job, await self.store.media(job.id))
            log.info("job %s: replaying an interrupted create at %s", job.id, vendor.id)
            if await self._submit_to(job, vendor, req, f"{job.id}-{vendor.id}") is None:
                return
        log.error(
            "job %s: the process stopped while creating it at %s; outcome unknown, refunding "
            "instead of risking a second paid task",
            job.id, job.vendor,
        )  # fmt: skip
        await self._fail(job, "unknown_outcome", "failed_unavailable")

    async def _poll(self, job: Job) -> None:
        vendor = self.vendors.get(job.vendor or "")
        task_id = job.vendor_task_id or ""
        if vendor is None:
            log.error("job %s: vendor %s is no longer configured; refunding", job.id, job.vendor)
            await self._fail(job, "vendor_removed", "failed_unavailable")
            return
        self._by_task[(vendor.id, task_id)] = job.id
        wake = self._wakeups.setdefault(job.id, asyncio.Event())
        interval = vendor.poll_interval or self.settings.video_poll_interval
        delay, failures, downloads = interval, 0, 0
        last: tuple[TaskStatus, float | None] | None = None
        first: tuple[float, float] | None = None  # (time, progress) of the first progress seen
        try:
            while True:
                remaining = job.deadline_at - self.clock()
                if remaining <= 0:
                    await self._timeout(job)
                    return
                await _nap(wake, min(delay, remaining))
                wake.clear()
                try:
                    async with self._slot(vendor.id):
                        state = await vendor.poll(task_id)
                except RateLimited as exc:
                    failures += 1
                    delay = max(exc.retry_after or 0.0, self._backoff(failures, interval))
                    continue
                except NotFound:
                    await self._fail(
                        job, "task_lost", "failed_vendor", reason_key="reason_task_lost"
                    )
                    return
                except VendorError as exc:
                    failures += 1
                    delay = self._backoff(failures, interval)
                    log.warning("job %s: poll failed (%s); retrying in %.0fs", job.id, exc, delay)
                    continue
                failures = 0
                delay = interval * random.uniform(0.9, 1.1)
                if state.status is TaskStatus.RUNNING and state.progress is not None:
                    now = self.clock()
                    if first is None or state.progress < first[1]:
                        first = (now, state.progress)
                    else:
                        delay = next_poll(interval, first, (now, state.progress), delay)
                if state.status is TaskStatus.SUCCEEDED:
                    done = await self._fetch(job, vendor, state)
                    if done:
                        return
                    downloads += 1
                    if downloads >= DOWNLOAD_RETRIES:
                        await self._fail(
                            job, "download", "failed_vendor", reason_key="reason_download"
                        )
                        return
                    delay = self._backoff(downloads, 1.0)
                elif state.status is TaskStatus.FAILED:
                    await self._vendor_failed(job, state)
                    return
                elif state.status is TaskStatus.CANCELLED:
                    await self._fail(job, "vendor_cancelled", "failed_cancelled")
                    return
                elif last != (state.status, state.progress):
                    last = (state.status, state.progress)
                    await self._progress(job, vendor, state)
        finally:
            self._by_task.pop((vendor.id, task_id), None)

    async def _progress(self, job: Job, vendor: VendorClient, state: TaskState) -> None:
        # Stored in steps (job.progress is the last stored value): the capacity benchmark
        # showed a SQLite write on nearly every poll, since vendors report progress finely.
        stored = job.progress
        if state.progress is not None and (
            stored is None or abs(state.progress - stored) >= PROGRESS_STEP
        ):
            job.progress = state.progress
            await self.store.update(job.id, self.clock(), progress=state.progress)
        if state.status is TaskStatus.QUEUED:
            text = texts.t(job.locale, "status_queued", vendor=vendor.id)
        else:
            bar = texts.progress_bar(state.progress)
            text = texts.t(job.locale, "status_running", bar=bar).rstrip(" …") + (
                "" if bar else "…"
            )
        await self._emit(EventKind.PROGRESS, job, text, state.progress)

    async def _vendor_failed(self, job: Job, state: TaskState) -> None:
        log.info(
            "job %s failed at %s: %s (%s)", job.id, job.vendor, state.failure, state.failure_code
        )
        said = failures.detail(state.failure_code, state.failure)
        if state.moderated:
            await self._fail(job, "moderated", "failed_moderated", detail=said)
        else:
            reason = failures.reason_key(state.failure_code)
            await self._fail(job, "vendor_failed", "failed_vendor", reason_key=reason, detail=said)

    async def _fetch(self, job: Job, vendor: VendorClient, state: TaskState) -> bool:
        """Download the result and move to DELIVERING; False to poll again and retry."""
        url = state.video_url or ""
        got = await self.fetcher.fetch(job, vendor, url)
        if got is None:
            return False
        if isinstance(got, Refusal):
            await self._fail(job, got.code, got.text_key, reason_key=got.reason_key)
            return True
        if self.clock() >= job.deadline_at:  # never deliver, and charge, a job past its time
            if not url.startswith("file:"):
                await asyncio.to_thread(got.unlink, missing_ok=True)
            await self._timeout(job)
            return True
        path = got
        async with self._lock(job.id):
            moved = await self.store.transition(
                job.id, (JobState.RUNNING,), JobState.DELIVERING, self.clock(),
                result_path=str(path), result_url=None if url.startswith("file:") else url,
                progress=1.0,
            )  # fmt: skip
        if moved:
            log.info(
                "job %s delivering user=%s vendor=%s task=%s",
                job.id, job.user, vendor.id, job.vendor_task_id,
            )  # fmt: skip
        return True

    async def _deliver(self, job: Job) -> None:
        if job.attempt:
            # `attempt` marks a hand-over in flight (set before, cleared after a known
            # failure). An earlier process died during one: the video may have reached the
            # user, and chat platforms offer no way to ask. Sending it again could deliver it
            # twice (the chaos run caught this after a SIGKILL), so at most once it is:
            # refund, and the user is told.
            log.error(
                "job %s: the process stopped while handing the video to the %s adapter; it "
                "may have arrived. Refunding rather than risking a second copy",
                job.id, job.user.platform,
            )  # fmt: skip
            await self._fail(job, "delivery_unknown", "failed_delivery")
            return
        path = Path(job.result_path or "")
        if not job.result_path or not await asyncio.to_thread(path.exists):
            log.warning("job %s: downloaded file is gone; fetching it again", job.id)
            await self.store.transition(
                job.id, (JobState.DELIVERING,), JobState.RUNNING, self.clock()
            )
            return
        sink = self._sinks.get(job.user.platform)
        while sink is None:
            log.warning(
                "job %s: no %s adapter running; waiting to deliver", job.id, job.user.platform
            )
            await asyncio.sleep(30)
            sink = self._sinks.get(job.user.platform)
        await self._emit(EventKind.DELIVERING, job, texts.t(job.locale, "status_delivering"), 1.0)
        opts = job.request
        seed = opts.seed
        caption = texts.t(
            job.locale,
            "caption",
            prompt=job.prompt[:700],
            model=opts.model_shown or opts.model or "",
            duration=opts.duration,
            seed="random" if seed is None else seed,
        )
        for attempt in range(DELIVERY_RETRIES + 1):
            if self.clock() >= job.deadline_at:  # not handed over, so not charged: refund
                await self._timeout(job)
                return
            await self.store.update(job.id, self.clock(), attempt=attempt + 1)
            try:
                await sink.deliver(job, path, caption)
                break
            except asyncio.CancelledError:  # stopping: the upload was most likely cut off
                with contextlib.suppress(Exception):
                    await asyncio.shield(self.store.update(job.id, self.clock(), attempt=0))
                raise
            except DeliveryError as exc:
                await self.store.update(job.id, self.clock(), attempt=0)  # known: not sent
                if exc.permanent or attempt == DELIVERY_RETRIES:
                    log.error("job %s: delivery failed for good: %s", job.id, exc)
                    await self._fail(job, "delivery", "failed_delivery")
                    return
                wait = (
                    exc.retry_after
                    if exc.retry_after is not None
                    else self._backoff(attempt + 1, 2.0)
                )
                log.warning("job %s: delivery failed (%s); retrying in %.0fs", job.id, exc, wait)
                await asyncio.sleep(wait)
            except Exception:
                await self.store.update(job.id, self.clock(), attempt=0)
                if attempt == DELIVERY_RETRIES:
                    log.exception("job %s: delivery crashed", job.id)
                    await self._fail(job, "delivery", "failed_delivery")
                    return
                log.exception("job %s: delivery crashed; retrying", job.id)
                await asyncio.sleep(self._backoff(attempt + 1, 2.0))
        if await self.store.settle(
            job.id,
            charge=True,
            state=JobState.DELIVERED,
            now=self.clock(),
            delivered_at=self.clock(),
        ):
            job.state = JobState.DELIVERED
            log.info(
                "job %s delivered user=%s vendor=%s task=%s charged=%d",
                job.id,
                job.user,
                job.vendor,
                job.vendor_task_id,
                job.cost,
            )
            await self._emit(EventKind.FINISHED, job, texts.t(job.locale, "status_done"), 1.0)
        else:
            # `videobot refund` settled it during the hand-over: the user has the video and
            # keeps the credits. A "stopped by an operator" notice would now be wrong.
            log.warning(
                "job %s was refunded by an operator while its video was handed over; the user "
                "has it free", job.id,
            )  # fmt: skip
            await self.store.update(job.id, self.clock(), notice=None)
        if not getattr(sink, "keep_files", False):
            with contextlib.suppress(OSError):
                await asyncio.to_thread(path.unlink)

    # endings

    async def _timeout(self, job: Job) -> None:
        if job.state is JobState.RUNNING:
            await self._cancel_at_vendor(job.id, job.vendor, job.vendor_task_id)
        log.warning("job %s timed out after %.0fs", job.id, self.settings.video_job_timeout)
        await self._fail(job, "timeout", "failed_timeout")

    async def _fail(
        self, job: Job, code: str, text_key: str, *, reason_key: str | None = None,
        detail: str | None = None, state: JobState = JobState.FAILED,
    ) -> bool:  # fmt: skip
        """Refund and tell the user, once; False if the job was already settled.

        The notice is stored with the refund and cleared once the adapter has shown it, so
        a stop in between (the chaos run's SIGKILLs) cannot leave a user refunded unawares.
        """
        reason = texts.t(job.locale, reason_key) if reason_key else ""
        text = texts.t(job.locale, text_key, cost=job.cost, reason=reason)
        detail = detail or (texts.t("en", reason_key) if reason_key else code)
        if not await self.store.settle(
            job.id, charge=False, state=state, now=self.clock(),
            error_code=code, error_text=detail[:500], notice=text,
        ):  # fmt: skip
            return False
        job.state, job.error_code = state, code
        log.info(
            "job %s %s (%s) user=%s vendor=%s task=%s refunded=%d",
            job.id, state.value, code, job.user, job.vendor, job.vendor_task_id, job.cost,
        )  # fmt: skip
        await self._emit(EventKind.FAILED, job, text)
        return True

    async def _watch_operator_refunds(self, since: float, shown: set[str]) -> None:
        """Act on refunds made with the admin CLI, which runs in another process.

        `videobot refund` settles the job in the database and leaves a notice; this loop
        finds it within OPERATOR_SWEEP_SECONDS, stops the job's vendor task if this process
        was tracking it, and tells the user. Notices from before start() were shown there.
        """
        while True:
            await asyncio.sleep(OPERATOR_SWEEP_SECONDS)
            try:
                found = await self.store.pending_notices(since, error_code=OPERATOR_REFUND)
            except Exception:
                log.exception("looking for operator refunds failed")
                continue
            shown &= {job.id for job, _ in found}  # the rest have been seen: forget them
            for job, text in found:
                if job.id not in shown:
                    shown.add(job.id)
                    self._spawn(self._operator_refunded(job, text), f"refunded-{job.id[:8]}")

    async def _operator_refunded(self, job: Job, text: str) -> None:
        tracked = job.id in self._tasks
        if tracked:
            async with self._lock(job.id):  # let a submit or a hand-over in progress finish
                await self._stop_task(job.id)
        # A hand-over that finished meanwhile cleared the notice: the user has the video.
        pending = await self.store.pending_notices(job.updated_at, error_code=OPERATOR_REFUND)
        if all(found.id != job.id for found, _ in pending):
            return
        if tracked:
            await self._cancel_at_vendor(job.id, job.vendor, job.vendor_task_id)
        log.info(
            "job %s refunded by an operator user=%s vendor=%s task=%s refunded=%d",
            job.id, job.user, job.vendor, job.vendor_task_id, job.cost,
        )  # fmt: skip
        await self._emit(EventKind.FAILED, job, text)

    async def cancel(self, job_id: str) -> str:
        """Stop a job and refund it; CancelResult.TOO_LATE once it is delivering or done."""
        async with self._lock(job_id):
            job = await self.store.get_job(job_id)
            if job is None:
                return CancelResult.UNKNOWN
            if job.state.terminal or job.state is JobState.DELIVERING:
                return CancelResult.TOO_LATE
            await self._stop_task(job_id)
            await self._cancel_at_vendor(job.id, job.vendor, job.vendor_task_id)
            done = await self._fail(job, "cancelled", "failed_cancelled", state=JobState.CANCELLED)
            return CancelResult.OK if done else CancelResult.TOO_LATE

    # helpers

    async def _stop_task(self, job_id: str) -> None:
        """Stop this process's work on a job (its state in the store is left as it is)."""
        task = self._tasks.pop(job_id, None)
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _cancel_at_vendor(
        self, job_id: str, vendor_id: str | None, task_id: str | None
    ) -> None:
        """Ask the vendor to stop a task; a failure is logged, never raised."""
        vendor = self.vendors.get(vendor_id or "")
        if vendor is None or not task_id:
            return
        try:
            await vendor.cancel(task_id)
        except (VendorError, httpx.HTTPError) as exc:
            log.warning("job %s: vendor cancel failed: %s", job_id, exc)

    async def _emit(
        self,
        kind: EventKind,
        job: Job,
        text: str,
        progress: float | None = None,
        *,
        replayed: bool = False,
    ) -> None:
        seen = functools.partial(self._notice_seen, job.id) if kind is EventKind.FAILED else None
        event = JobEvent(kind, job, text, progress, seen=seen, replayed=replayed)
        if not replayed:
            for observer in self._observers:
                try:
                    observer(event)
                except Exception:
                    log.exception("event observer failed")
        sink = self._sinks.get(job.user.platform)
        if sink is None:
            return  # a notice stays pending until that platform's adapter runs
        try:
            await sink.on_event(event)
        except Exception:
            log.exception("job %s: %s adapter failed to show %s", job.id, job.user.platform, kind)
            return
        if seen is not None and not getattr(sink, "acks_notices", False):
            await seen()

    async def _notice_seen(self, job_id: str) -> None:
        await self.store.update(job_id, self.clock(), notice=None)

    def _slot(self, vendor_id: str) -> asyncio.Semaphore:
        return self._slots.setdefault(vendor_id, asyncio.Semaphore(MAX_VENDOR_CALLS))

    def _backoff(self, attempt: int, base: float = 2.0) -> float:
        return float(min(60.0, base * 2 ** max(0, attempt - 1)) * random.uniform(0.75, 1.0))

    def _callback_url(self, vendor_id: str) -> str | None:
        base = self.settings.callback_base_url
        return f"{base.rstrip('/')}/callbacks/{vendor_id}" if base else None
