"""Group budgets in the `Store`, on SQLite and PostgreSQL alike: a group's jobs draw from
its pool (never from the members' own credits), within each member's cap; concurrent
reserves never overspend a pool; a refund gives a job's share back to its pool once."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot.errors import QuotaError
from bot.models import JobState, UserRef
from bot.storage import Store
from bot.storage.base import NewJob
from tests.postgres import BACKENDS
from tests.test_core_store_backends import DAY, POLICY, job_of

pytestmark = BACKENDS
GROUP = "telegram:-1001234"


def group_job(user: UserRef, number: int, cost: int = 1, group: str = GROUP) -> NewJob:
    return replace(job_of(user, number, cost), group=group)


def user(n: int) -> UserRef:
    return UserRef("telegram", str(n))


async def test_a_pool_is_set_capped_shown_and_removed(store: Store) -> None:
    assert await store.group_day(GROUP, DAY) is None
    assert await store.set_group_member_cap(GROUP, 5, "telegram:1", 1.0) is None  # no pool yet
    budget = await store.set_group_budget(GROUP, 50, "telegram:1", 2.0)
    assert (budget.per_day, budget.per_member, budget.updated_by) == (50, None, "telegram:1")
    capped = await store.set_group_member_cap(GROUP, 5, "telegram:2", 3.0)
    assert capped is not None and (capped.per_day, capped.per_member) == (50, 5)
    resized = await store.set_group_budget(GROUP, 80, "telegram:1", 4.0)
    assert (resized.per_day, resized.per_member, resized.updated_at) == (80, 5, 4.0)
    day = await store.group_day(GROUP, DAY)
    assert day is not None and day.used == {} and day.pool_left == 80
    assert await store.remove_group_budget(GROUP) is True
    assert await store.remove_group_budget(GROUP) is False
    assert await store.group_day(GROUP, DAY) is None


async def test_a_groups_jobs_draw_from_its_pool_and_are_refunded_to_it_once(
    store: Store,
) -> None:
    await store.set_group_budget(GROUP, 10, "telegram:1", 0.5)
    await store.reserve(group_job(user(1), 1, cost=3), POLICY, 1.0)
    await store.reserve(group_job(user(2), 2, cost=2), POLICY, 1.0)
    day = await store.group_day(GROUP, DAY)
    assert day is not None and day.used == {"telegram:1": 3, "telegram:2": 2}
    assert day.pool_left == 5
    mine = await store.balance(user(1), DAY)
    assert mine.used_today == 0 and mine.active == 1  # the member's own credits untouched
    job_id = f"{1:032x}"
    settles = [
        store.settle(job_id, charge=False, state=JobState.FAILED, now=2.0 + n) for n in range(5)
    ]
    assert (await asyncio.gather(*settles)).count(True) == 1
    day = await store.group_day(GROUP, DAY)
    assert day is not None and day.used == {"telegram:2": 2} and day.pool_left == 8
    assert await store.settle(f"{2:032x}", charge=True, state=JobState.DELIVERED, now=3.0)
    day = await store.group_day(GROUP, DAY)
    assert day is not None and day.used == {"telegram:2": 2}  # charged: stays spent
    notes = [(e.kind, e.amount, e.note) for e in await store.ledger() if e.job_id == job_id]
    assert notes == [("reserve", 0, f"group {GROUP}: 3"), ("refund", 0, "")]


async def test_an_empty_pool_or_share_refuses_without_touching_own_credits(
    store: Store,
) -> None:
    await store.set_group_budget(GROUP, 4, "telegram:1", 0.5)
    await store.set_group_member_cap(GROUP, 2, "telegram:1", 0.5)
    await store.reserve(group_job(user(1), 1, cost=2), POLICY, 1.0)
    with pytest.raises(QuotaError) as member:
        await store.reserve(group_job(user(1), 2), POLICY, 1.0)
    assert member.value.key == "err_group_member"
    assert member.value.params == {"cost": 1, "left": 0, "cap": 2}
    await store.reserve(group_job(user(2), 3, cost=2), POLICY, 1.0)
    with pytest.raises(QuotaError) as pool:
        await store.reserve(group_job(user(3), 4), POLICY, 1.0)
    assert pool.value.key == "err_group_pool" and pool.value.params == {"cost": 1, "left": 0}
    assert (await store.balance(user(3), DAY)).used_today == 0
    assert await store.get_job(f"{4:032x}") is None  # nothing recorded for a refusal


async def test_without_a_pool_and_for_admins_own_credits_pay(store: Store) -> None:
    await store.reserve(group_job(user(1), 1), POLICY, 1.0)  # a group without a pool
    assert (await store.balance(user(1), DAY)).used_today == 1
    await store.set_group_budget(GROUP, 1, "telegram:1", 1.5)
    admin = replace(POLICY, unlimited=True)
    await store.reserve(group_job(user(9), 2, cost=5), admin, 2.0)  # admins pay nothing
    await store.reserve(group_job(user(1), 3, group="telegram:-1009"), POLICY, 2.0)  # other chat
    assert (await store.balance(user(1), DAY)).used_today == 2
    day = await store.group_day(GROUP, DAY)
    assert day is not None and day.pool_left == 1


async def test_a_job_paid_by_a_removed_pool_is_still_refunded_to_it(store: Store) -> None:
    await store.set_group_budget(GROUP, 3, "telegram:1", 0.5)
    await store.reserve(group_job(user(1), 1, cost=2), POLICY, 1.0)
    assert await store.remove_group_budget(GROUP)
    await store.reserve(group_job(user(1), 2), POLICY, 1.5)  # own credits again
    assert await store.settle(f"{1:032x}", charge=False, state=JobState.CANCELLED, now=2.0)
    await store.set_group_budget(GROUP, 3, "telegram:1", 2.5)  # back the same day: all 3
    day = await store.group_day(GROUP, DAY)
    assert day is not None and day.pool_left == 3
    assert (await store.balance(user(1), DAY)).used_today == 1


async def test_concurrent_reserves_never_overspend_a_pool_or_a_share(store: Store) -> None:
    await store.set_group_budget(GROUP, 25, "telegram:1", 0.5)
    await store.set_group_member_cap(GROUP, 4, "telegram:1", 0.5)
    users = [user(n) for n in range(10)]
    results = await asyncio.gather(
        *(store.reserve(group_job(users[n % 10], n), POLICY, 1.0) for n in range(200)),
        return_exceptions=True,
    )
    taken = [r for r in results if not isinstance(r, BaseException)]
    assert all(isinstance(r, QuotaError) for r in results if isinstance(r, BaseException))
    assert len(taken) == 25
    day = await store.group_day(GROUP, DAY)
    assert day is not None and sum(day.used.values()) == 25 and day.pool_left == 0
    assert all(used <= 4 for used in day.used.values())
    assert [(await store.balance(u, DAY)).used_today for u in users] == [0] * 10
