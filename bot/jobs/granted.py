"""The process's queue view, able to take in jobs the queue several processes share granted
(bot/jobs/shared_line.py) beside the ones its own line grants (bot/jobs/queue.py)."""

from __future__ import annotations

from bot.jobs.queue import Dispatcher
from bot.jobs.turns import Ticket
from bot.models import Job


class SharingDispatcher(Dispatcher):
    def granted(self, job: Job, vendor: str, admin: bool) -> bool:
        """Hold the slots of a job the shared queue granted `vendor`, its ticket granted for
        its task to pick up; True if it goes as the probe of a half-open vendor."""
        ticket = self.tickets[job.id] = Ticket.of(job, admin)
        self._grant(ticket, vendor)
        return self.holders[job.id].probe
