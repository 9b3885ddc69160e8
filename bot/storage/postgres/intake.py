"""The two store calls of every `/video` on PostgreSQL, `reserve` and `balance`, each run
in batches (`bot/storage/group.py`): the reserves queued while a batch commits are reserved
together as the next batch, in one transaction (reserves.py), and the balances asked for
meanwhile are read together in one statement.

Measured with `bench.intake`: alone, a reserve was ten round trips and a commit, and a
balance three round trips: one process took 150-370 `/video` a second through
PostgreSQL.
"""

from __future__ import annotations

import functools
from typing import Any

from bot.models import Job, UserRef
from bot.storage.base import Balance, NewJob, QuotaPolicy
from bot.storage.group import Group
from bot.storage.postgres.connection import PgBase
from bot.storage.postgres.reserves import READ_ACCOUNTS, Reserve, run_reserves

BATCHES_AT_ONCE = 2  # of each, per process: one fills while the other is at the server


class PgIntake(PgBase):
    """Reserves and balances, in batches."""

    def __init__(self, pool: Any, url: str) -> None:
        super().__init__(pool, url)
        self._reserves: Group[Reserve, Job] = Group(
            functools.partial(run_reserves, self._transaction), "pg-reserves", BATCHES_AT_ONCE
        )
        self._balances: Group[tuple[str, str], Balance] = Group(
            self._read_balances, "pg-balances", BATCHES_AT_ONCE
        )

    async def reserve(self, job: NewJob, policy: QuotaPolicy, now: float) -> Job:
        return await self._reserves(Reserve(job, policy, now))

    async def balance(self, user: UserRef, day: str) -> Balance:
        """The balance of `user`'s account (its users' together) on `day`."""
        return await self._balances((str(user), day))

    async def _read_balances(self, asked: list[tuple[str, str]]) -> list[Balance | BaseException]:
        pairs = sorted(set(asked))
        try:
            rows = await self._fetch(READ_ACCOUNTS, [u for u, _ in pairs], [d for _, d in pairs])
        except Exception as exc:
            return [exc] * len(asked)
        found = {
            (user, day): Balance(
                used_today=used, bonus=bonus, active=active, banned=bool(banned), purchased=bought
            )
            for user, day, _, bonus, banned, bought, active, used in rows
        }
        return [found[pair] for pair in asked]
