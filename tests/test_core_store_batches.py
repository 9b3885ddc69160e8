"""Reserves and balances asked for at once, on SQLite and PostgreSQL alike: a burst is run
in batches there (group commit), and each call still gets exactly what it would alone. On
PostgreSQL, two stores on one database (two processes) share the quota exactly."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot.errors import QuotaError
from bot.models import UserRef
from bot.storage import Store, open_store
from bot.storage.base import Balance
from tests.postgres import BACKENDS
from tests.test_core_store_backends import DAY, POLICY, job_of, ledger_by_user

TG, DC, OTHER = UserRef("telegram", "1"), UserRef("discord", "2"), UserRef("telegram", "3")


async def link(store: Store, owner: UserRef, joiner: UserRef) -> None:
    await store.put_link_code(str(owner), "code", 100.0, 0.5)
    result = await store.link_users("code", str(joiner), 0.5)
    assert result.key == "link_done"


@BACKENDS
async def test_a_burst_from_two_linked_users_spends_their_account_once(store: Store) -> None:
    await store.grant(TG, 2, 0.5)
    await link(store, TG, DC)
    results = await asyncio.gather(
        *(store.reserve(job_of((TG, DC, OTHER)[n % 3], n), POLICY, 1.0) for n in range(60)),
        *(store.balance(user, DAY) for user in (TG, DC, OTHER) * 5),
        return_exceptions=True,
    )
    reserves, balances = results[:60], results[60:]
    taken = [r for r in reserves if not isinstance(r, BaseException)]
    assert all(isinstance(r, QuotaError) for r in reserves if r not in taken)
    # the account: 3 free credits and a bonus of 2, for both its users; the other its 3
    assert sorted(str(j.user) for j in taken).count(str(OTHER)) == 3
    assert len(taken) == 3 + 2 + 3
    assert all(isinstance(b, Balance) for b in balances)
    after = {user: await store.balance(user, DAY) for user in (TG, DC, OTHER)}
    assert after[TG] == after[DC] == Balance(used_today=3, bonus=0, active=5, banned=False)
    assert after[OTHER] == Balance(used_today=3, bonus=0, active=3, banned=False)
    held = await ledger_by_user(store)
    assert held[str(TG)] + held[str(DC)] == 5 and held[str(OTHER)] == 3


@BACKENDS
async def test_a_reserve_at_fault_fails_alone_in_its_burst(store: Store) -> None:
    first = await store.reserve(job_of(TG, 0), POLICY, 1.0)
    again = replace(job_of(OTHER, 1), id=first.id)  # the same job id twice: a constraint
    results = await asyncio.gather(
        store.reserve(job_of(DC, 2), POLICY, 1.0),
        store.reserve(again, POLICY, 1.0),
        store.reserve(job_of(OTHER, 3), POLICY, 1.0),
        return_exceptions=True,
    )
    assert not isinstance(results[0], BaseException)
    assert isinstance(results[1], BaseException) and not isinstance(results[1], QuotaError)
    assert not isinstance(results[2], BaseException)
    assert await ledger_by_user(store) == {str(TG): 1, str(DC): 1, str(OTHER): 1}
    assert (await store.balance(OTHER, DAY)).used_today == 1


@BACKENDS
async def test_a_refused_reserve_of_a_new_user_leaves_no_trace(store: Store) -> None:
    no_credits = replace(POLICY, per_day=0)
    results = await asyncio.gather(
        store.reserve(job_of(TG, 0), no_credits, 1.0),
        store.reserve(job_of(DC, 1), POLICY, 1.0),
        return_exceptions=True,
    )
    assert isinstance(results[0], QuotaError) and not isinstance(results[1], BaseException)
    accounts = await store.accounts()
    assert str(TG) not in accounts.bonuses and str(DC) in accounts.bonuses


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_two_processes_reserving_at_once_take_exactly_the_quota(
    store: Store, database_url: str
) -> None:
    users = [UserRef("telegram", str(n)) for n in range(20)]
    other = await open_store(database_url)  # a second process: its own pool and batches
    try:
        results = await asyncio.gather(
            *(
                (store, other)[n % 2].reserve(job_of(users[n % 20], n), POLICY, 1.0)
                for n in range(400)
            ),
            return_exceptions=True,
        )
    finally:
        await other.close()
    taken = [r for r in results if not isinstance(r, BaseException)]
    assert all(isinstance(r, QuotaError) for r in results if r not in taken)
    assert len(taken) == 20 * 3
    assert await ledger_by_user(store) == {str(u): 3 for u in users}
    assert {u.user: u.used for u in (await store.accounts()).usage} == {str(u): 3 for u in users}
