"""The state every phase of a job shares: store, vendors, clock, and this process's tasks.

The phases (submit, poll, fetch, deliver, settle, operator, events) are plain functions over
a Kernel; JobEngine is the Kernel with the public face. Nothing here imports a phase, so
the phases can import the kernel and each other without a loop.
"""

from __future__ import annotations

import abc
import asyncio
import logging
import random
import time
from collections.abc import Callable, Coroutine
from typing import Any

import httpx

from bot.config import Settings
from bot.errors import VendorError
from bot.events import JobEvent, JobSink
from bot.jobs.download import ResultFetcher
from bot.jobs.granted import SharingDispatcher
from bot.jobs.leases import JobLeases, process_id
from bot.jobs.standing import Standings
from bot.routing.breaker import Breakers
from bot.routing.history import RenderHistory
from bot.storage.base import Store
from bot.vendors.base import VendorClient

log = logging.getLogger("videobot.engine")

# Calls in flight per vendor, below its HTTP pool (64 connections). With 10,000 jobs, py-spy
# put over half of the bot's CPU in httpcore's pool scanning its queue of waiting requests
# (quadratic in the queue); a semaphore queues them cheaply instead, and none times out
# waiting for a connection.
MAX_VENDOR_CALLS = 32


class Kernel(abc.ABC):
    """What the job phases share. One asyncio task per job drives it (`drive`); sleeping
    tasks cost a few KB, so thousands of jobs are cheap."""

    @abc.abstractmethod
    async def drive(self, job_id: str) -> None:
        """Run one job to its end: JobEngine runs the job loop, which the kernel cannot
        import (the loop imports every phase, and every phase imports the kernel)."""

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
        self.sinks: dict[str, JobSink] = {}
        self.tasks: dict[str, asyncio.Task[None]] = {}  # the job tasks of this process
        self.locks: dict[str, asyncio.Lock] = {}
        self.wakeups: dict[str, asyncio.Event] = {}
        self.by_task: dict[tuple[str, str], str] = {}  # (vendor, task id) -> job id
        self.slots: dict[str, asyncio.Semaphore] = {}
        self.observers: list[Callable[[JobEvent], None]] = []
        self.helpers: set[asyncio.Task[None]] = set()
        self.started = asyncio.Event()
        self.breakers = Breakers(
            settings.video_breaker_failures, settings.video_breaker_cooldown, lambda: self.clock()
        )
        self.history = RenderHistory()
        self.queue = SharingDispatcher(
            settings, vendors, self.breakers, self.history, lambda: self.clock()
        )
        self.standings = Standings(self.queue)
        self.leases = JobLeases(
            store,
            settings.video_lease_seconds,
            lambda: self.clock(),
            owner=process_id(settings.videobot_process_id),
        )
        self.listening = False  # whether word from other processes reaches this one (signals)
        self.relays = 0  # vendor callbacks being passed on to the process polling the task
        self.refunds = asyncio.Event()  # an operator refunded a job: look now (operator)
        self.line_event = asyncio.Event()  # the shared queue may have moved (shared_line)
        self.line_signal_due = False

    def launch(self, job_id: str) -> None:
        """Drive a job to its end, unless this process already is."""
        if job_id in self.tasks:
            return
        task = asyncio.create_task(self.drive(job_id), name=f"job-{job_id[:8]}")
        self.tasks[job_id] = task
        task.add_done_callback(lambda _t: self._forget(job_id, _t))

    def _forget(self, job_id: str, task: asyncio.Task[None]) -> None:
        if self.tasks.get(job_id) is task:
            del self.tasks[job_id]
            self.wakeups.pop(job_id, None)
        if job_id not in self.tasks:  # not driven here any more: its lease may run out
            self.leases.drop(job_id)

    def spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        """Run a helper task that stop() cancels with the job tasks."""
        task = asyncio.create_task(work, name=name)
        self.helpers.add(task)
        task.add_done_callback(self.helpers.discard)

    def lock(self, job_id: str) -> asyncio.Lock:
        """The lock that keeps a submit, a hand-over and a cancel of one job apart."""
        return self.locks.setdefault(job_id, asyncio.Lock())

    def slot(self, vendor_id: str) -> asyncio.Semaphore:
        return self.slots.setdefault(vendor_id, asyncio.Semaphore(MAX_VENDOR_CALLS))

    def backoff(self, attempt: int, base: float = 2.0) -> float:
        return float(min(60.0, base * 2 ** max(0, attempt - 1)) * random.uniform(0.75, 1.0))

    def callback_url(self, vendor_id: str) -> str | None:
        base = self.settings.callback_base_url
        return f"{base.rstrip('/')}/callbacks/{vendor_id}" if base else None

    async def stop_task(self, job_id: str) -> None:
        """Stop this process's work on a job (its state in the store is left as it is)."""
        task = self.tasks.pop(job_id, None)
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def let_go(self, job_id: str) -> None:
        """Stop driving a job another process settled or took over, once a submit or a
        hand-over in progress here has finished."""
        async with self.lock(job_id):
            await self.stop_task(job_id)

    async def cancel_at_vendor(
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
