"""The election itself (bot.storage.leadership) on a real PostgreSQL database: one holder
at a time, a holder whose work fails to start gives the lead back, stop() gives it back."""

from __future__ import annotations

import pytest

from bot.storage.leadership import Leadership, leadership
from bot.storage.postgres.leader import AdvisoryLock, lock_key
from tests.helpers import wait_until

pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
SCOPE = b"videobot:test-election"


def elected(url: str, events: list[str], name: str, *, fail: bool = False) -> Leadership:
    async def lead() -> None:
        events.append(f"{name} leads")
        if fail:
            raise RuntimeError("could not start")

    async def follow() -> None:
        events.append(f"{name} follows")

    made = leadership(url, SCOPE, lead=lead, follow=follow, what=name)
    assert made is not None
    return made


async def test_one_leads_and_stopping_hands_the_lock_over(database_url: str) -> None:
    events: list[str] = []
    a, b = elected(database_url, events, "a"), elected(database_url, events, "b")
    await a.start()
    await b.start()
    try:
        assert (a.leading, b.leading) == (True, False) and events == ["a leads"]
        await a.stop()
        assert events == ["a leads", "a follows"]
        await wait_until(lambda: b.leading)  # at b's next ask
        assert events == ["a leads", "a follows", "b leads"]
    finally:
        await b.stop()
    assert events[-1] == "b follows"


async def test_work_that_fails_to_start_gives_the_lead_back(database_url: str) -> None:
    events: list[str] = []
    a = elected(database_url, events, "a", fail=True)
    await a.start()
    try:
        assert not a.leading and events == ["a leads"]
        other = AdvisoryLock(database_url, lock_key(SCOPE))
        assert await other.try_acquire()
        await other.close()
    finally:
        await a.stop()
