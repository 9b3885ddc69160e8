"""The money rules and reports of the `Store`, on SQLite and PostgreSQL alike: concurrent
reserves never take more than the quota, a job is settled once however many try at once,
the ledger equals the balance changes, and the reports agree with what was done."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from bot.errors import QuotaError
from bot.models import JobState, Media, UserRef
from bot.storage import Store
from bot.storage.base import NewJob, QuotaPolicy
from tests.postgres import BACKENDS
from tests.test_core_store_access import USER, new_job

DAY = "2026-01-01"
POLICY = QuotaPolicy(day=DAY, per_day=3, max_active=100, unlimited=False)


def job_of(user: UserRef, number: int, cost: int = 1) -> NewJob:
    made = new_job(f"{number:032x}", f"prompt {number}")
    return NewJob(
        id=made.id, user=user, request=made.request, cost=cost, locale="en", chat=made.chat,
        deadline_at=100.0, media={},
    )  # fmt: skip


async def ledger_by_user(store: Store) -> dict[str, int]:
    """Credits each user holds or spent today by the ledger: reserves less refunds."""
    held: dict[str, int] = {}
    for entry in await store.ledger():
        sign = {"reserve": 1, "refund": -1}.get(entry.kind, 0)
        held[entry.user] = held.get(entry.user, 0) + sign * entry.amount
    return held


@BACKENDS
async def test_200_concurrent_reserves_of_20_users_take_exactly_their_quota(
    store: Store,
) -> None:
    users = [UserRef("telegram", str(n)) for n in range(20)]
    await store.grant(users[0], 2, 0.5)  # one user also has a bonus
    results = await asyncio.gather(
        *(store.reserve(job_of(users[n % 20], n), POLICY, 1.0) for n in range(200)),
        return_exceptions=True,
    )
    taken = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, QuotaError)]
    assert len(taken) == 20 * 3 + 2 and len(refused) == 200 - len(taken)
    accounts = await store.accounts()
    usage = {u.user: u.used for u in accounts.usage}
    assert usage == {str(u): 3 for u in users}
    assert accounts.bonuses[str(users[0])] == 0
    assert await ledger_by_user(store) == {str(u): 3 + 2 * (u == users[0]) for u in users}
    totals = await store.credit_totals()
    assert totals == {
        "reserve": 62,
        "charge": 0,
        "refund": 0,
        "grant": 2,
        "purchase": 0,
        "payment_refund": 0,
    }


@BACKENDS
async def test_a_job_settled_from_many_places_at_once_is_settled_once(store: Store) -> None:
    await store.grant(USER, 1, 0.5)
    await store.reserve(job_of(USER, 1, cost=4), POLICY, 1.0)  # 3 daily + 1 bonus
    outcomes = await asyncio.gather(
        *(
            store.settle(f"{1:032x}", charge=n % 2 == 0, state=JobState.FAILED, now=2.0 + n)
            for n in range(20)
        )
    )
    assert outcomes.count(True) == 1
    kinds = [e.kind for e in await store.ledger() if e.job_id]
    assert kinds[0] == "reserve" and len(kinds) == 2
    balance = await store.balance(USER, DAY)
    if kinds[1] == "refund":  # whichever came first, the balances say the same as the ledger
        assert (balance.used_today, balance.bonus) == (0, 1)
    else:
        assert (balance.used_today, balance.bonus) == (3, 0)
    assert await ledger_by_user(store) == {str(USER): balance.used_today + 1 - balance.bonus}


@BACKENDS
async def test_reserves_settles_and_grants_of_one_user_interleaved_keep_the_ledger_whole(
    store: Store,
) -> None:
    """Refunds give credits back while other reserves take them and grants add some: in any
    order, what the ledger says the user holds is what the balances say."""
    policy = QuotaPolicy(day=DAY, per_day=20, max_active=1000, unlimited=False)
    for n in range(20):
        await store.reserve(job_of(USER, n), policy, 1.0)

    async def settle(n: int) -> bool:
        return await store.settle(f"{n:032x}", charge=n % 3 == 0, state=JobState.FAILED, now=2.0)

    async def reserve(n: int) -> object:
        try:
            return await store.reserve(job_of(USER, n), policy, 3.0)
        except QuotaError:
            return None

    await asyncio.gather(
        *(settle(n) for n in range(20)),
        *(reserve(n) for n in range(100, 140)),
        *(store.grant(USER, 1, 4.0) for _ in range(5)),
    )
    balance = await store.balance(USER, DAY)
    held = await ledger_by_user(store)
    granted = sum(e.amount for e in await store.ledger() if e.kind == "grant")
    assert held[str(USER)] == balance.used_today + granted - balance.bonus
    assert balance.used_today <= 20


@BACKENDS
async def test_transitions_only_move_an_unsettled_job_from_an_expected_state(
    store: Store,
) -> None:
    await store.reserve(job_of(USER, 7), POLICY, 1.0)
    job_id = f"{7:032x}"
    assert not await store.transition(job_id, (JobState.RUNNING,), JobState.DELIVERING, 2.0)
    assert await store.transition(job_id, (JobState.RESERVED,), JobState.RUNNING, 2.0)
    assert await store.settle(job_id, charge=True, state=JobState.DELIVERED, now=3.0)
    assert not await store.transition(job_id, (JobState.DELIVERED,), JobState.FAILED, 4.0)
    job = await store.get_job(job_id)
    assert job is not None and job.state is JobState.DELIVERED and job.updated_at == 3.0


@BACKENDS
async def test_reports_reads_and_media(store: Store) -> None:
    other = UserRef("discord", "5")
    photo = Media(b"\x89PNG\x00 bytes", "image/png", "a.png")
    await store.reserve(replace(job_of(USER, 0xABC1), media={"first": photo}), POLICY, 1.0)
    await store.reserve(job_of(other, 0xABC2), POLICY, 2.0)
    await store.settle(f"{0xABC2:032x}", charge=True, state=JobState.DELIVERED, now=3.0)
    await store.set_banned(UserRef("telegram", "9"), True, 4.0)

    assert await store.media(f"{0xABC1:032x}") == {"first": photo}
    assert await store.find_job("000000") is None  # ambiguous: both ids start so
    found = await store.find_job(f"{0xABC1:032x}"[:28], USER)
    assert found is not None and found.id == f"{0xABC1:032x}"
    assert await store.find_job(f"{0xABC1:032x}", other) is None
    assert [j.id for j in await store.active_jobs()] == [f"{0xABC1:032x}"]
    assert [j.id for j in await store.user_jobs(other)] == [f"{0xABC2:032x}"]
    assert len(await store.list_jobs()) == 2
    assert await store.stats(0.0) == {
        "jobs": 2, "delivered": 1, "failed": 0, "active": 1, "spent": 1, "users": 2,
    }  # fmt: skip
    rows = {u["user"]: u for u in await store.users(DAY)}
    assert rows["discord:5"] == {
        "user": "discord:5", "bonus": 0, "banned": 0, "used_today": 1, "jobs": 1,
        "delivered": 1, "spent": 1,
    }  # fmt: skip
    assert (
        rows["telegram:9"]["banned"] == 1
        and (await store.balance(UserRef("telegram", "9"), DAY)).banned
    )
    assert await store.prune_media(10.0) == 0  # its job is not settled: kept for Again
    await store.settle(f"{0xABC1:032x}", charge=False, state=JobState.FAILED, now=5.0)
    assert await store.prune_media(10.0) == 1 and await store.media(f"{0xABC1:032x}") == {}
