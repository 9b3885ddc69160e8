"""This process's leases on the jobs it drives, so several processes can share one database.

- Every process has an id (host:pid:random) it owns jobs by. It drives a job only while it
  holds the job's lease (`take` before the first step of a job admitted here).
- Every VIDEO_LEASE_SECONDS / 3 it renews all its leases in one statement; a job that
  renewal finds owned by another process (this one stalled past its lease, and the job was
  taken over) is lost: this process stops driving it.
- Every LEASE_SWEEP_SECONDS it claims the jobs whose leases ran out (a process died, SIGKILL
  included) and resumes them exactly as a restart does: each step starts from the stored
  state, so a job is never submitted twice, delivered once and charged once.
- A clean stop gives its leases up, so the others take them at once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable, Sequence

from bot.models import Job
from bot.storage.base import Store
from bot.storage.errors import StoreUnavailable

LEASE_SWEEP_SECONDS = 3.0  # how often leases that ran out are looked for (at most)
CLAIM_BATCH = 500  # jobs claimed per statement

log = logging.getLogger("videobot.engine")


def process_id(name: str | None = None) -> str:
    """`name` (VIDEOBOT_PROCESS_ID, the metrics' `process` label), else host:pid, then a
    random part: unique even when a pid is reused, two hosts share a name, or a restarted
    process keeps its name (its old leases must run out, not pass as its own)."""
    return f"{name or f'{socket.gethostname()}:{os.getpid()}'}:{secrets.token_hex(3)}"


class JobLeases:
    """The leases this process holds (`held`) and the loop that keeps them."""

    def __init__(
        self, store: Store, seconds: float, clock: Callable[[], float], owner: str | None = None
    ) -> None:
        self.store = store
        self.seconds = seconds
        self.clock = clock
        self.owner = owner or process_id()
        self.held: set[str] = set()

    async def claim(self, ids: Sequence[str] | None = None) -> list[Job]:
        """Take every job whose lease ran out (or those of `ids`, when free or ours)."""
        taken: list[Job] = []
        while True:
            now = self.clock()
            jobs = await self.store.claim_jobs(
                self.owner, now, now + self.seconds, ids, CLAIM_BATCH
            )
            self.held.update(job.id for job in jobs)
            taken += jobs
            if ids is not None or len(jobs) < CLAIM_BATCH:
                return taken

    async def take(self, job_id: str) -> bool:
        """Whether this process may drive the job (claiming it if it is not held yet)."""
        return job_id in self.held or bool(await self.claim([job_id]))

    def drop(self, job_id: str) -> None:
        """The job's task here ended: its lease is no longer renewed, so it runs out."""
        self.held.discard(job_id)

    async def renew(self) -> list[str]:
        """Renew every held lease; the jobs lost to another process (no longer held)."""
        lost = await self.store.renew_leases(
            self.owner, sorted(self.held), self.clock() + self.seconds
        )
        self.held.difference_update(lost)
        return lost

    async def release(self) -> None:
        """Give up every lease (a clean stop); a failing or closed store leaves them to run
        out instead, which loses nothing."""
        self.held.clear()
        try:
            await self.store.release_leases(self.owner)
        except Exception as exc:
            log.warning("giving up the job leases failed (%s); they run out instead", exc)

    async def keep(
        self,
        adopt: Callable[[list[Job]], None],
        lost: Callable[[str], Awaitable[None]],
    ) -> None:
        """Renew the leases every third of their time and claim those that ran out every
        LEASE_SWEEP_SECONDS, until cancelled: `adopt` resumes the jobs claimed, `lost` stops
        driving a job another process took over."""
        renew_every = self.seconds / 3
        sweep = min(LEASE_SWEEP_SECONDS, renew_every)
        renewed = time.monotonic()
        while True:
            await asyncio.sleep(sweep)
            try:
                if time.monotonic() - renewed >= renew_every - sweep / 2:
                    started = time.monotonic()
                    for job_id in await self.renew():
                        log.warning("job %s: taken over by another process; stopping", job_id)
                        await lost(job_id)
                    renewed = started
                jobs = await self.claim()
            except StoreUnavailable as exc:
                log.error("keeping the job leases failed: %s", exc)
                continue
            if jobs:
                log.info("took over %d job(s) whose lease ran out", len(jobs))
                adopt(jobs)
