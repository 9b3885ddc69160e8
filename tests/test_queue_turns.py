"""Fair turns in the bot's queue, on the dispatcher itself: round-robin across users and
chats, oldest first within a user, admins exempt from the per-user limit only."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.chat import StoredChat
from bot.jobs.queue import Dispatcher
from bot.jobs.standing import Standings
from bot.models import Job, JobRequest, JobState, Mode, UserRef
from bot.routing.breaker import Breakers
from bot.routing.history import RenderHistory
from bot.vendors.local import LocalVendor
from tests.helpers import settings_for

NOW = 1000.0


def job(n: int, user: str, chat: int | None = None) -> Job:
    return Job(
        id=f"{n:032x}", user=UserRef("telegram", user), state=JobState.QUEUED,
        request=JobRequest(prompt=f"p{n}", mode=Mode.TEXT, model_shown="m", vendors=("local",)),
        cost=1, chat=StoredChat({"chat_id": chat} if chat else {}), created_at=float(n),
    )  # fmt: skip


def dispatcher(tmp_path: Path, slots: int, **kw: object) -> Dispatcher:
    settings = settings_for(tmp_path, video_vendors=["local"], local_max_concurrent=slots, **kw)
    vendors = {"local": LocalVendor(work_dir=tmp_path)}
    return Dispatcher(settings, vendors, Breakers(5, 60, lambda: NOW), RenderHistory(), lambda: NOW)


async def granted_in_order(d: Dispatcher, jobs: list[Job]) -> list[str]:
    """Enqueue `jobs`, then free one slot at a time: the order the jobs were granted."""
    for j in jobs:
        d.enqueue(j, admin=False)
    await asyncio.sleep(0)  # the pump runs soon after the enqueues, not between them
    order = list(d.holders)
    while d.tickets:
        d.release(order[len(order) - len(d.holders)])  # the oldest holder ends
        d.pump()
        order += [j for j in d.holders if j not in order]
    return [next(x.request.prompt for x in jobs if x.id == j) for j in order]


async def test_one_users_many_jobs_do_not_hold_back_the_others(tmp_path: Path) -> None:
    d = dispatcher(tmp_path, slots=1, max_jobs_per_user=5)
    heavy = [job(i, "1") for i in range(1, 6)]
    light = [job(10, "2"), job(11, "3")]
    order = await granted_in_order(d, [*heavy, *light])
    assert order == ["p1", "p10", "p11", "p2", "p3", "p4", "p5"]


async def test_turns_go_round_the_chats_then_the_users_of_a_chat(tmp_path: Path) -> None:
    d = dispatcher(tmp_path, slots=1, max_jobs_per_user=5)
    group = [job(1, "1", chat=-5), job(2, "2", chat=-5), job(3, "1", chat=-5)]
    alone = [job(4, "3", chat=3), job(5, "3", chat=3)]
    order = await granted_in_order(d, [*group, *alone])
    assert order == ["p1", "p4", "p2", "p5", "p3"]


async def test_per_user_limit_and_places_in_line(tmp_path: Path) -> None:
    d = dispatcher(tmp_path, slots=10, max_jobs_per_user=2)
    for j in [job(i, "1") for i in range(1, 5)] + [job(9, "2")]:
        d.enqueue(j, admin=False)
    await asyncio.sleep(0)
    assert sorted(d.holders) == sorted(job(i, "x").id for i in (1, 2, 9))
    assert [t.job_id for t in d.in_turn_order()] == [job(3, "x").id, job(4, "x").id]
    standings = Standings(d)
    third, fourth = standings.of(job(3, "x").id), standings.of(job(4, "x").id)
    assert third is not None and fourth is not None
    assert (third.place, fourth.place) == (1, 2) and not third.starts_now
    # both wait for one of the user's two jobs to end, each 240 s from now by default
    assert third.eta == fourth.eta == 480.0 and fourth.upper >= fourth.eta


async def test_the_upper_end_allows_for_newcomers_before_a_users_later_jobs(
    tmp_path: Path,
) -> None:
    """A user's second waiting job may see a newcomer go first (round-robin), its third
    two: the upper end shown before they came allows a render for each."""
    d = dispatcher(tmp_path, slots=1, max_jobs_per_user=5)
    for j in [job(i, "1") for i in range(1, 5)]:
        d.enqueue(j, admin=False)
    await asyncio.sleep(0)
    # each render takes 240 s by default; job 1 renders now
    before = {j: Standings(d).of(job(j, "x").id) for j in (2, 3, 4)}
    assert [(s.eta, s.upper) for s in before.values() if s is not None] == [
        (480.0, 480.0), (720.0, 960.0), (960.0, 1440.0),
    ]  # fmt: skip
    d.enqueue(job(9, "2"), admin=False)  # a newcomer: it goes before the user's second
    await asyncio.sleep(0)
    after = Standings(d)
    for n, first in before.items():
        now = after.of(job(n, "x").id)
        assert first is not None and now is not None and now.eta <= first.upper
    newcomer = after.of(job(9, "x").id)
    assert newcomer is not None and (newcomer.place, newcomer.eta) == (2, 720.0)


async def test_admins_skip_the_limit_but_not_the_turns(tmp_path: Path) -> None:
    d = dispatcher(tmp_path, slots=1, max_jobs_per_user=1)
    for j in [job(1, "1"), job(2, "1"), job(3, "2")]:
        d.enqueue(j, admin=j.user.id == "1")
    await asyncio.sleep(0)
    first = list(d.holders)
    d.release(first[0])
    d.pump()
    assert [j for j in d.holders] == [job(3, "x").id]  # the other user's turn came first


async def test_a_long_line_stays_linear(tmp_path: Path) -> None:
    """Thousands waiting: each join looks at the newcomers only, and the standings are
    played at most twice a second, so a burst costs time in proportion to its size."""
    d = dispatcher(tmp_path, slots=1, max_jobs_per_user=1)
    standings = Standings(d)
    started = time.perf_counter()
    jobs = [job(i, str(i % 500)) for i in range(1, 3001)]
    for j in jobs:
        d.enqueue(j, admin=False)
        d.pump()
        assert standings.of(j.id) is not None or j.id in d.holders
    assert time.perf_counter() - started < 5.0  # quadratic, this was minutes
    assert len(d.holders) == 1 and len(d.tickets) == 2999
    last = standings.of(jobs[-1].id)
    assert last is not None and 1 <= last.place <= 2999
