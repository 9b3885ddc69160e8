"""Job leases in the `Store`, on SQLite and PostgreSQL alike: a job in flight is claimed by
one process at a time, renewed by it, lost when another took it over, given up on a clean
stop, and listed per process for the doctor. SQLite serves one process, so there a lease
any other owner holds counts as run out."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot.models import JobState
from bot.storage import Store
from tests.postgres import BACKENDS
from tests.test_core_store_access import USER
from tests.test_core_store_backends import POLICY, job_of

LEASE = 30.0
UNLIMITED = replace(POLICY, unlimited=True)
ON_POSTGRES = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


async def reserve(store: Store, count: int) -> list[str]:
    """`count` jobs at the vendor (a waiting job nobody owns is the shared queue's)."""
    ids = []
    for n in range(count):
        job_id = (await store.reserve(job_of(USER, n), UNLIMITED, 1.0 + n)).id
        await store.transition(job_id, (JobState.QUEUED,), JobState.RUNNING, 1.0 + n)
        ids.append(job_id)
    return ids


@BACKENDS
async def test_a_free_job_is_claimed_once_renewed_and_released(store: Store) -> None:
    ids = await reserve(store, 3)
    taken = await store.claim_jobs("a", 10.0, 10.0 + LEASE)
    assert [j.id for j in taken] == ids  # oldest first
    assert await store.claim_jobs("a", 11.0, 11.0 + LEASE) == []  # a sweep skips its own
    assert await store.renew_leases("a", ids, 50.0) == []
    [holder] = await store.lease_holders()
    assert (holder.owner, holder.jobs, holder.lease_until) == ("a", 3, 50.0)
    await store.settle(ids[0], charge=False, state=JobState.FAILED, now=12.0)
    assert (await store.lease_holders())[0].jobs == 2  # a settled job holds no lease
    assert await store.release_leases("a") == 2
    assert await store.lease_holders() == []
    again = await store.claim_jobs("b", 13.0, 13.0 + LEASE)
    assert [j.id for j in again] == ids[1:]


@BACKENDS
async def test_a_named_job_is_taken_when_free_or_already_ours(store: Store) -> None:
    [job_id] = await reserve(store, 1)
    assert [j.id for j in await store.claim_jobs("a", 1.0, 31.0, [job_id])] == [job_id]
    assert [j.id for j in await store.claim_jobs("a", 2.0, 32.0, [job_id])] == [job_id]


@BACKENDS
async def test_a_lease_that_ran_out_is_taken_over_and_its_old_owner_told(store: Store) -> None:
    ids = await reserve(store, 2)
    await store.claim_jobs("a", 1.0, 31.0)
    assert [j.id for j in await store.claim_jobs("b", 40.0, 70.0)] == ids
    assert sorted(await store.renew_leases("a", ids, 80.0)) == sorted(ids)
    assert [(h.owner, h.jobs) for h in await store.lease_holders()] == [("b", 2)]


@ON_POSTGRES  # one process at a time uses a SQLite file
async def test_concurrent_sweeps_claim_each_job_once(store: Store) -> None:
    ids = await reserve(store, 40)
    found = await asyncio.gather(
        *(store.claim_jobs(f"p{n}", 10.0, 40.0) for n in range(4)),
        *(store.claim_jobs(f"q{n}", 10.0, 40.0, ids[n::4]) for n in range(4)),  # admitted
    )
    claimed = [j.id for jobs in found for j in jobs]
    assert sorted(claimed) == sorted(ids)  # every job, each by one process
    holders = await store.lease_holders()
    assert sum(h.jobs for h in holders) == 40
