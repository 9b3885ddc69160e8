"""The queue several processes share, in the `Store` (SQLite and PostgreSQL alike): a claim
grants the next waiting job in users' turns, oldest first within a user, and never past a
vendor's limit or MAX_JOBS_PER_USER, however many processes claim at once."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot.models import JobState, UserRef
from bot.routing.capacity import Capacity
from bot.storage import Store
from bot.storage.queue_types import Room
from tests.postgres import BACKENDS
from tests.test_core_store_backends import POLICY, job_of

UNLIMITED = replace(POLICY, unlimited=True)
A, B, C = (UserRef("test", n) for n in ("a", "b", "c"))


async def waiting(store: Store, *users: UserRef) -> list[str]:
    """One job per user given, in that order, each a second after the one before."""
    ids = []
    for n, user in enumerate(users):
        job = job_of(user, n)
        job = replace(job, request=replace(job.request, vendors=("runway",)))
        ids.append((await store.reserve(job, UNLIMITED, float(n))).id)
    return ids


def room(limit: int = 3, per_user: int = 2, admins: frozenset[str] = frozenset()) -> Room:
    return Room("runway", Capacity(limit), per_user, admins)


@BACKENDS
async def test_users_take_turns_and_the_vendor_limit_holds(store: Store) -> None:
    a1, a2, a3, b1, c1 = await waiting(store, A, A, A, B, C)
    granted = [await store.claim_queued(room(), "p", 10.0 + n, 60.0) for n in range(4)]
    assert [j.id if j else None for j in granted] == [a1, b1, c1, None]  # 3 at the vendor
    assert all(j.owner == "p" and j.vendor == "runway" for j in granted if j)
    await store.settle(a1, charge=True, state=JobState.DELIVERED, now=20.0)
    second = await store.claim_queued(room(), "q", 21.0, 60.0)
    assert second is not None and second.id == a2  # A's turn again: the oldest of its jobs
    assert await store.claim_queued(room(), "q", 22.0, 60.0) is None
    assert a3  # still waiting


@BACKENDS
async def test_a_user_at_max_jobs_waits_unless_admin(store: Store) -> None:
    await waiting(store, A, A, A)
    many = room(limit=10, per_user=2)
    got = [await store.claim_queued(many, "p", 10.0 + n, 60.0) for n in range(3)]
    assert [j is not None for j in got] == [True, True, False]
    admin = room(limit=10, per_user=2, admins=frozenset({str(A)}))
    assert await store.claim_queued(admin, "p", 20.0, 60.0) is not None


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_concurrent_claims_never_pass_the_limits(store: Store) -> None:
    users = [UserRef("test", f"u{n}") for n in range(4)]
    await waiting(store, *(users * 5))
    rooms = [room(limit=5, per_user=2)] * 12
    got = await asyncio.gather(
        *(store.claim_queued(r, f"p{n % 3}", 10.0, 60.0) for n, r in enumerate(rooms))
    )
    granted = [j for j in got if j is not None]
    assert len(granted) == 5
    per_user = {str(u): sum(str(j.user) == str(u) for j in granted) for u in users}
    assert max(per_user.values()) <= 2 and len({j.id for j in granted}) == 5


@BACKENDS
async def test_a_granted_job_given_up_on_a_clean_stop_goes_back_in_line(store: Store) -> None:
    [job_id] = await waiting(store, A)
    granted = await store.claim_queued(room(), "p", 10.0, 60.0)
    assert granted is not None and granted.vendor == "runway"
    assert await store.release_leases("p") == 1
    again = await store.claim_queued(room(), "q", 11.0, 60.0)
    assert again is not None and again.id == job_id and again.owner == "q"
