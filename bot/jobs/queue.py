"""The bot's own queue: which waiting job goes to which vendor when a slot frees.

- A job waits (state QUEUED, in the store) until its user has fewer than
  MAX_JOBS_PER_USER jobs at a vendor (admins: no limit) and a vendor it can go to has room
  (bot/routing/capacity.py), is healthy (bot/routing/breaker.py) and has generations of the
  job's model left today (bot/routing/daily.py).
- Fair: each time a slot frees, the next job is taken round-robin across chats, and across
  the users of a chat, oldest first within a user. A user with ten jobs waiting holds back
  no one else's one; admins take their turn like everyone.
- This is the process's view, rebuilt from the store at start: tickets for QUEUED jobs,
  holders for jobs at a vendor. A restart loses no job, only the order of equal turns.
"""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import Callable, Iterator

from bot.config import Settings
from bot.jobs.turns import Holder, Line, Ticket
from bot.models import Job
from bot.routing.breaker import Breakers
from bot.routing.capacity import Capacity, resolve
from bot.routing.choose import Candidate, choose
from bot.routing.daily import DailyCounts
from bot.routing.history import RenderHistory
from bot.vendors.base import VendorClient


class Dispatcher:
    def __init__(
        self,
        settings: Settings,
        vendors: dict[str, VendorClient],
        breakers: Breakers,
        history: RenderHistory,
        clock: Callable[[], float],
    ) -> None:
        self.settings = settings
        self.vendors = vendors
        self.breakers = breakers
        self.history = history
        self.clock = clock
        self.capacity: dict[str, Capacity] = {
            v: resolve(settings.max_concurrent(v), None) for v in vendors
        }
        self.daily = DailyCounts(clock)
        self.line = Line()
        self.tickets: dict[str, Ticket] = {}
        self.holders: dict[str, Holder] = {}
        self.user_busy: Counter[str] = Counter()
        self.pool_busy: Counter[tuple[str, str]] = Counter()
        self.version = 0  # bumped whenever the queue or the slots change
        self.closed = False
        self._pump_soon = False
        self._woken = 0  # the version the waiting jobs were last woken for
        # A full scan of the line costs time in proportion to it. One that granted nothing
        # stays true until a slot frees (`freed`) or a vendor's health changes (`poke`):
        # until then a pump looks only at the tickets that joined since (`fresh`).
        self.freed = 0
        self._scanned = -1
        self._fresh: list[Ticket] = []

    # the queue

    def enqueue(self, job: Job, admin: bool) -> Ticket:
        """Put a QUEUED job in line (once); it is granted a vendor by a later pump."""
        holder = self.holders.get(job.id)
        if holder is not None and holder.ticket is not None:
            return holder.ticket  # granted before the job's task came to look
        ticket = self.tickets.get(job.id)
        if ticket is None:
            ticket = self.tickets[job.id] = Ticket.of(job, admin)
            self.line.add(ticket)
            self._fresh.append(ticket)
            self._changed()
        return ticket

    def requeue(self, ticket: Ticket, refused_by: str, *, for_today: bool = False) -> None:
        """A vendor refused the job: back in line, at its old place, never to that vendor
        (`for_today`: its day's generations are used up; it may take the job tomorrow)."""
        self.release(ticket.job_id)
        self.daily.refused(refused_by, ticket.model)
        if not for_today:
            ticket.tried += (refused_by,)
        ticket.granted = None
        ticket.wake.clear()
        self.tickets[ticket.job_id] = ticket
        self.line.add(ticket)
        self._fresh.append(ticket)
        self._changed()

    def left_to_try(self, ticket: Ticket) -> list[str]:
        return [v for v in ticket.vendors if v in self.vendors and v not in ticket.tried]

    def remove(self, job_id: str) -> None:
        """The job left the line without a vendor (cancelled, timed out, refunded)."""
        ticket = self.tickets.pop(job_id, None)
        if ticket is None:
            return
        self.line.discard(ticket)
        self._changed()

    # slots

    def hold(self, job: Job, admin: bool) -> None:
        """Count a job already at a vendor (found so at start) against its slots."""
        if job.id in self.holders or job.vendor is None:
            return
        model = job.request.model_shown or job.request.model or ""
        cap = self.capacity.get(job.vendor)
        pool = (job.vendor, cap.pool(model)) if cap is not None else None
        since = job.submitted_at or job.updated_at
        self._take(job.id, Holder(str(job.user), job.vendor, pool, model, job.request.duration,
                                  since, admin))  # fmt: skip

    def picked(self, job_id: str) -> None:
        """The job's task has its granted ticket: the holder need not keep it (10,000 jobs
        in flight would keep 10,000 tickets and their events)."""
        holder = self.holders.get(job_id)
        if holder is not None:
            holder.ticket = None

    def vendor_done(self, job_id: str) -> None:
        """The job's task ended at the vendor: its vendor slot is free (not yet its user's)."""
        holder = self.holders.get(job_id)
        if holder is not None and holder.pool is not None:
            self.pool_busy[holder.pool] -= 1
            holder.pool = None
            self.freed += 1
            self._changed()

    def release(self, job_id: str) -> None:
        """The job ended (or went back in line): every slot it held is free."""
        self.vendor_done(job_id)
        holder = self.holders.pop(job_id, None)
        if holder is None:
            return
        self.user_busy[holder.user] -= 1
        if holder.probe and holder.vendor is not None:
            self.breakers.abandoned(holder.vendor)
        self.freed += 1
        self._changed()

    def _take(self, job_id: str, holder: Holder) -> None:
        self.holders[job_id] = holder
        self.user_busy[holder.user] += 1
        if holder.pool is not None:
            self.pool_busy[holder.pool] += 1

    # dispatch

    def _changed(self) -> None:
        self.version += 1
        if not self._pump_soon and not self.closed:
            self._pump_soon = True
            asyncio.get_running_loop().call_soon(self.pump)

    def candidate(self, vendor: str, model: str, duration: int) -> Candidate:
        cap = self.capacity[vendor]
        pool = (vendor, cap.pool(model))
        return Candidate(
            vendor, self.pool_busy[pool], cap.limit_of(model),
            self.history.estimate(vendor, model, duration),
        )  # fmt: skip

    def route(self, ticket: Ticket) -> tuple[str | None, bool]:
        """(the vendor the ticket should go to, whether it has room now)."""
        healthy = [
            self.candidate(v, ticket.model, ticket.duration)
            for v in self.left_to_try(ticket)
            if self.breakers.allows(v) and not self.used_up(v, ticket.model)
        ]
        best = choose(healthy, self.settings.video_routing)
        return (best.vendor, best.has_room) if best is not None else (None, False)

    def used_up(self, vendor: str, model: str) -> bool:
        """Whether `vendor` has given its generations of `model` for today."""
        cap = self.capacity[vendor]
        if not cap.per_day and not self.daily.full:
            return False  # the common case, on every route of every ticket
        return self.daily.used_up(vendor, model, cap.daily_limit(model))

    def _user_free(self, ticket: Ticket) -> bool:
        return ticket.admin or self.user_busy[ticket.user] < self.settings.max_jobs_per_user

    def poke(self) -> None:
        """A vendor's health or capacity changed: look at the whole line again."""
        self.freed += 1
        self._changed()

    def pump(self, force: bool = False) -> None:
        """Grant every ticket that can go now, one turn per chat and user at a time
        (`force`: scan the whole line even if nothing freed, as a breaker's cool-down
        ends on its own clock)."""
        self._pump_soon = False
        if force or self.freed != self._scanned:
            while not self.closed and self._grant_one(self.line.users()):
                pass
            self._scanned = self.freed
        else:  # nothing freed since a full scan found nothing: only newcomers may go
            fresh = [deque([t]) for t in self._fresh if t.job_id in self.tickets]
            while not self.closed and self._grant_one(iter(fresh)):
                fresh = [w for w in fresh if w[0].job_id in self.tickets]
        self._fresh.clear()
        if self.version != self._woken:  # the line moved: each job shows its new place
            self._woken = self.version
            self.wake_all()

    def _grant_one(self, users: Iterator[deque[Ticket]]) -> bool:
        routes: dict[tuple[object, ...], tuple[str | None, bool]] = {}  # alike tickets, once
        for waiting in users:
            for ticket in waiting:
                if not self._user_free(ticket):
                    break
                key = (ticket.vendors, ticket.tried, ticket.model, ticket.duration)
                found = routes.get(key)
                if found is None:
                    found = routes[key] = self.route(ticket)
                vendor, room = found
                if vendor is not None and room:
                    self._grant(ticket, vendor)
                    return True
        return False

    def _grant(self, ticket: Ticket, vendor: str) -> None:
        self.line.discard(ticket, served=True)
        del self.tickets[ticket.job_id]
        cap = self.capacity[vendor]
        probe = self.breakers.dispatched(vendor)
        self.daily.sent_one(vendor, ticket.model)
        self._take(ticket.job_id, Holder(
            ticket.user, vendor, (vendor, cap.pool(ticket.model)), ticket.model,
            ticket.duration, self.clock(), ticket.admin, probe, ticket,
        ))  # fmt: skip
        ticket.granted = vendor
        ticket.wake.set()
        self.version += 1

    def in_turn_order(self) -> list[Ticket]:
        return self.line.in_turn_order()

    def wake_all(self) -> None:
        for ticket in self.tickets.values():
            ticket.wake.set()
