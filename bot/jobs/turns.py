"""The line of waiting jobs, kept in fair turns: round-robin across chats, and across the
users of a chat, oldest first within a user (see queue.py for when a turn is taken); and
the jobs that hold slots at a vendor."""

from __future__ import annotations

import asyncio
import bisect
from collections import OrderedDict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from bot.models import Job


def place_of(job: Job) -> str:
    """The chat a job was asked in (fairness across chats), else its user."""
    data = job.chat.to_json()
    for key in ("chat_id", "channel_id"):
        if data.get(key) is not None:
            return f"{job.user.platform}:{data[key]}"
    return str(job.user)


@dataclass(eq=False, slots=True)
class Ticket:
    """A job waiting in line. `wake` is set when it is granted or the line moved."""

    job_id: str
    user: str
    place: str
    created_at: float
    model: str
    duration: int
    vendors: tuple[str, ...]
    admin: bool
    tried: tuple[str, ...] = ()  # vendors that refused it
    granted: str | None = None
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def key(self) -> tuple[float, str]:
        return (self.created_at, self.job_id)

    @classmethod
    def of(cls, job: Job, admin: bool) -> Ticket:
        return cls(
            job.id, str(job.user), place_of(job), job.created_at,
            job.request.model_shown or job.request.model or "", job.request.duration,
            tuple(job.request.vendors), admin,
        )  # fmt: skip


class Line:
    """place -> user -> that user's tickets, oldest first; dict order is the turn order."""

    def __init__(self) -> None:
        self.places: OrderedDict[str, OrderedDict[str, deque[Ticket]]] = OrderedDict()

    def add(self, ticket: Ticket) -> None:
        users = self.places.setdefault(ticket.place, OrderedDict())
        waiting = users.setdefault(ticket.user, deque())
        keys = [t.key for t in waiting]
        waiting.insert(bisect.bisect(keys, ticket.key), ticket)

    def discard(self, ticket: Ticket, *, served: bool = False) -> None:
        """Take `ticket` out; `served`: it had its turn, so its user and chat go last."""
        users = self.places.get(ticket.place)
        waiting = users.get(ticket.user) if users is not None else None
        if users is None or waiting is None or ticket not in waiting:
            return
        waiting.remove(ticket)
        if not waiting:
            del users[ticket.user]
        elif served:
            users.move_to_end(ticket.user)
        if not users:
            del self.places[ticket.place]
        elif served:
            self.places.move_to_end(ticket.place)

    def users(self) -> Iterator[deque[Ticket]]:
        """Each user's tickets, in turn order."""
        for users in self.places.values():
            yield from users.values()

    def in_turn_order(self) -> list[Ticket]:
        """Every ticket in the order round-robin would take them if all could go now."""
        queues = [[list(w) for w in users.values()] for users in self.places.values()]
        order: list[Ticket] = []
        turn = [0] * len(queues)
        while any(queues):
            for i, waiting in enumerate(queues):
                if not waiting:
                    continue
                queue = waiting[turn[i] % len(waiting)]
                turn[i] += 1
                order.append(queue.pop(0))
                if not queue:
                    waiting.remove(queue)
                    turn[i] -= 1  # the next user slid into this one's turn
        return order


@dataclass(slots=True)
class Holder:
    """A job at a vendor (or being delivered): it holds a user slot and a vendor slot."""

    user: str
    vendor: str | None
    pool: tuple[str, str] | None  # None once the vendor's task has ended
    model: str
    duration: int
    since: float  # when it was sent to the vendor
    admin: bool = False
    probe: bool = False
    ticket: Ticket | None = None  # the granted ticket, for the job's task to pick up
