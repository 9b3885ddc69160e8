"""Where each waiting job stands and when it should be ready: place in line and ETA.

One pass plays the queue forward as the dispatcher would take it (round-robin, bot/jobs/
queue.py): every vendor pool starts with the slots its jobs hold, each busy until its
recent render time is up, and each waiting job takes the first slot free for its vendor
and for its user, for its model's recent render time. Played once with the median render
times (the estimate shown) and once with the 95th percentile (the range's upper end).

The play knows only the jobs in line now, but round-robin lets a user who arrives later go
before a user's second and later waiting jobs. So the upper end of a job with n of its
user's jobs ahead of it in line allows n more renders (one slot turnover for every turn of
its own it waits for, the newcomers' round): without it the heavy user's later jobs, given
their first estimate before the others came, were late for it.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass

from bot.jobs.queue import Dispatcher
from bot.jobs.turns import Holder
from bot.routing.history import MEDIAN, NEAR_DONE, UPPER

DELIVERY_SECONDS = 5.0  # a job whose vendor task has ended is taken to free its user soon
FRESH_SECONDS = 5.0  # an estimate is played again when older than this, queue moved or not
BIG_LINE = 200  # waiting jobs beyond which the line is played at most every REPLAY_GAP
REPLAY_GAP = 0.5


@dataclass(frozen=True, slots=True)
class Standing:
    place: int  # 1 = next in line
    starts_now: bool  # a slot is free for it: it leaves the line at the next turn
    eta: float  # seconds to delivery, by median render times
    upper: float  # the same by 95th-percentile render times, newcomers' turns allowed


def _holder_end(d: Dispatcher, h: Holder, now: float, q: float) -> float:
    if h.vendor is None or h.pool is None:
        return now + DELIVERY_SECONDS
    render = d.history.estimate(h.vendor, h.model, h.duration, q)
    return max(h.since + render, now + NEAR_DONE * render)


def play(
    d: Dispatcher, now: float, q: float, newcomers: bool = False
) -> dict[str, tuple[int, float, float]]:
    """job id -> (place among the jobs that wait, start, delivery time) with render times
    at quantile `q`; `newcomers`: allow a round of later arrivals before each own turn."""
    pools: dict[tuple[str, str], list[float]] = {}
    users: dict[str, list[float]] = {}
    for h in d.holders.values():
        end = _holder_end(d, h, now, q)
        if h.pool is not None:
            pools.setdefault(h.pool, []).append(end)
        if not h.admin:
            users.setdefault(h.user, []).append(end)
    for heap in (*pools.values(), *users.values()):
        heapq.heapify(heap)
    per_user = d.settings.max_jobs_per_user
    out: dict[str, tuple[int, float, float]] = {}
    own_ahead: Counter[str] = Counter()  # each user's jobs played so far
    ahead = 0  # jobs ahead that wait too (those with a free slot leave the line at once)
    for ticket in d.in_turn_order():
        vendor, _ = d.route(ticket)
        vendor = vendor or next(iter(d.left_to_try(ticket)), None)
        if vendor is None:
            ahead += 1
            out[ticket.job_id] = (ahead, now, now)
            continue
        cap = d.capacity[vendor]
        pool = pools.setdefault((vendor, cap.pool(ticket.model)), [])
        limit = cap.limit_of(ticket.model)
        start = now if len(pool) < limit else pool[0]
        if d.used_up(vendor, ticket.model):  # no vendor has generations left today
            start = max(start, d.daily.resets_at())
        mine = users.setdefault(ticket.user, [])
        if not ticket.admin and len(mine) >= per_user:
            start = max(start, mine[0])
        end = start + d.history.estimate(vendor, ticket.model, ticket.duration, q)
        (heapq.heappush if len(pool) < limit else heapq.heapreplace)(pool, end)
        if not ticket.admin:
            (heapq.heappush if len(mine) < per_user else heapq.heapreplace)(mine, end)
        if start > now:
            ahead += 1
        late = own_ahead[ticket.user] * (end - start) if newcomers else 0.0
        own_ahead[ticket.user] += 1
        out[ticket.job_id] = (max(1, ahead), start + late, end + late)
    return out


class Standings:
    """Every waiting job's standing, played again when the queue moved or time passed.

    A play costs time in proportion to the line. A long line (over BIG_LINE) is played at
    most every REPLAY_GAP seconds, however often it moves: a job that joined it since is
    given a bound until the next play (its place at most the line's length, its ETA at
    most the longest of the last play), so a burst of thousands of jobs stays linear.
    """

    def __init__(self, dispatcher: Dispatcher) -> None:
        self.d = dispatcher
        self._at = -1e18
        self._version = -1
        self._cache: dict[str, Standing] = {}
        self._last = Standing(1, False, 0.0, 0.0)  # the longest of the last play

    def starting(self, vendor: str, model: str, duration: int) -> Standing:
        """The standing of a job that leaves the line at once for `vendor`."""
        history = self.d.history
        return Standing(
            0, True, history.estimate(vendor, model, duration, MEDIAN),
            history.estimate(vendor, model, duration, UPPER),
        )  # fmt: skip

    def of(self, job_id: str) -> Standing | None:
        now = self.d.clock()
        stale = self._version != self.d.version or now - self._at > FRESH_SECONDS
        if stale and (len(self.d.tickets) <= BIG_LINE or now - self._at >= REPLAY_GAP):
            self._play(now)
        found = self._cache.get(job_id)
        if found is not None or job_id not in self.d.tickets:
            return found
        last = self._last
        return Standing(len(self.d.tickets), False, last.eta, last.upper)

    def _play(self, now: float) -> None:
        median, upper = play(self.d, now, MEDIAN), play(self.d, now, UPPER, newcomers=True)
        self._cache = {
            job: Standing(place, start <= now, end - now, upper[job][2] - now)
            for job, (place, start, end) in median.items()
        }
        self._at, self._version = now, self.d.version
        if self._cache:
            self._last = max(self._cache.values(), key=lambda s: s.upper)
