"""The bot's queue shared by several processes (PostgreSQL): what a vendor may take now, how
the next job is picked for it, and the part of the `Store` interface that grants it.

A QUEUED job nobody owns waits in the database's line. A process with a vendor that has
room claims the next job for it in one transaction: the vendor's jobs and each user's are
counted in the database (every process's), and users take turns (the one whose last turn
is oldest goes first, oldest job first within a user). The job is then this process's to
submit. One process on SQLite keeps its line in memory instead (bot/jobs/queue.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bot.models import Job

if TYPE_CHECKING:
    from bot.routing.capacity import Capacity


@dataclass(frozen=True, slots=True)
class Room:
    """What `vendor` may take: its pools (`capacity`), MAX_JOBS_PER_USER, and the users
    that limit does not bind (admins)."""

    vendor: str
    capacity: Capacity
    per_user: int
    admins: frozenset[str]


def model_of(job: Job) -> str:
    return job.request.model_shown or job.request.model or ""


def pick(
    room: Room, candidates: Iterable[Job], pools: Mapping[str | None, int],
    users: Mapping[str, int],
) -> Job | None:  # fmt: skip
    """The first of `candidates` (in turn order) whose user and pool have room, given the
    jobs at the vendor per pool (None: a pool not recorded, counted against every pool) and
    the jobs at any vendor per user."""
    unknown = pools.get(None, 0)
    for job in candidates:
        user = str(job.user)
        if user not in room.admins and users.get(user, 0) >= room.per_user:
            continue
        model = model_of(job)
        if pools.get(room.capacity.pool(model), 0) + unknown < room.capacity.limit_of(model):
            return job
    return None


class QueueStore(Protocol):
    shared: bool  # several processes may use this database (PostgreSQL)

    async def claim_queued(self, room: Room, owner: str, now: float, until: float) -> Job | None:
        """The next waiting job `room.vendor` may take now, granted to it and leased to
        `owner` until `until` (the user's turn taken); None when none may go."""
        ...
