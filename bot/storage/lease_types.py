"""Which process drives which job: the leases of several bot processes sharing one database,
the signals that reach a job's owner from the others, and the part of the `Store` interface
that takes, renews and reads leases and sends and hears signals.

A job in flight is driven by exactly one process, its owner, until `lease_until`; the owner
renews its leases well before then. A process that dies stops renewing, and once its leases
run out another takes its jobs over (see bot/jobs/leases.py). On SQLite one process at a time
uses the file (adapters/instance.py), so there a lease another process holds is always dead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.models import Job


@dataclass(frozen=True, slots=True)
class LeaseHolder:
    """A process holding leases, for `videobot doctor`."""

    owner: str  # host:pid:random
    jobs: int
    lease_until: float  # the latest of its leases


@dataclass(frozen=True, slots=True)
class JobSignal:
    """Word from another process about a job, for the process driving it: `cancelled` or
    `refunded` (settled elsewhere: stop driving it, tell the user of a refund), or `wake`
    (a vendor called back about `task_id` at `vendor`: poll it now)."""

    what: str
    job_id: str = ""
    vendor: str = ""
    task_id: str = ""


class LeaseStore(Protocol):
    async def claim_jobs(
        self, owner: str, now: float, until: float, ids: Sequence[str] | None = None,
        limit: int = 500,
    ) -> list[Job]:  # fmt: skip
        """Take the lease, until `until`, of up to `limit` active jobs whose lease has run out
        or was never taken (only those of `ids`, when given), skipping rows another process
        is claiming right now; the jobs taken, oldest first."""
        ...

    async def renew_leases(self, owner: str, ids: Sequence[str], until: float) -> list[str]:
        """Extend `owner`'s leases of `ids` to `until`, in one statement; the ids among them
        still active but now owned by another process (lost: stop driving them)."""
        ...

    async def release_leases(self, owner: str) -> int:
        """Give up every lease of `owner` (a clean stop), so others take the jobs at once."""
        ...

    async def lease_holders(self) -> list[LeaseHolder]:
        """The processes holding leases of active jobs, live or run out."""
        ...

    async def signal(self, signal: JobSignal) -> None:
        """Tell every process listening, at once (PostgreSQL's NOTIFY); nothing on SQLite,
        where the one process that drives jobs is the one that acts."""
        ...

    async def listen(self, on_signal: Callable[[JobSignal], None]) -> bool:
        """Call `on_signal` (on the event loop; it must not block) for each signal any
        process sends from now on; False where signals do not exist (SQLite)."""
        ...
