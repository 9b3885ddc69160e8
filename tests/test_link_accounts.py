"""One account on two platforms: /link, /unlink, through the real service on each store
backend (a real SQLite file, a real PostgreSQL database). Usage is made by real
reservations and settlements in the store, so every balance and ledger figure below is what
the bot would show."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.bootstrap import Core
from bot.chat import StoredChat
from bot.commands import read
from bot.errors import QuotaError
from bot.models import JobRequest, JobState, Mode, UserRef
from bot.replies import Incoming, Reply, utc_day
from bot.storage.base import JobPatch, NewJob, QuotaPolicy
from tests.helpers import make_core
from tests.postgres import BACKENDS

TG = UserRef("telegram", "1")
DC = UserRef("discord", "2")
ADMIN = UserRef("telegram", "99")
PER_DAY = 10


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


pytestmark = BACKENDS


@pytest.fixture
async def core(tmp_path: Path, database_url: str) -> AsyncIterator[Core]:
    core = await make_core(
        tmp_path, vendors=[], quota_credits_per_day=PER_DAY, admin_user_ids=["telegram:99"],
        database_url=database_url,
    )  # fmt: skip
    core.service.clock = Clock()
    try:
        yield core
    finally:
        await core.aclose()


def now(core: Core) -> float:
    return core.service.clock()


async def say(core: Core, user: UserRef, text: str) -> Reply:
    return await core.service.handle(Incoming(user=user, command=read(text)))


def new_job(user: UserRef, cost: int, t: float) -> NewJob:
    return NewJob(
        id=uuid.uuid4().hex, user=user, cost=cost, locale="en", chat=StoredChat(),
        request=JobRequest(mode=Mode.TEXT, prompt="a fox", duration=5, ratio="16:9"),
        deadline_at=t + 900, media={},
    )  # fmt: skip


def policy_at(t: float, max_active: int = 5) -> QuotaPolicy:
    return QuotaPolicy(day=utc_day(t), per_day=PER_DAY, max_active=max_active, unlimited=False)


async def spend(core: Core, user: UserRef, cost: int, *, charge: bool = True) -> str:
    """A job of `cost` credits reserved for `user` and then charged (or left active)."""
    t = now(core)
    job = new_job(user, cost, t)
    await core.store.reserve(job, policy_at(t), t)
    if charge:
        await core.store.settle(job.id, charge=True, state=JobState.DELIVERED, now=t)
    return job.id


async def left(core: Core, user: UserRef) -> int:
    return (await core.store.balance(user, utc_day(now(core)))).left(PER_DAY)


async def link(core: Core, owner: UserRef, joiner: UserRef) -> Reply:
    code = code_of(await say(core, owner, "/link"))
    return await say(core, joiner, f"/link {code}")


def code_of(reply: Reply) -> str:
    match = re.search(r"code: ([A-Z0-9]{8})", reply.text)
    assert match, reply.text
    return match.group(1)


async def grants(core: Core) -> int:
    return sum(e.amount for e in await core.store.ledger() if e.kind == "grant")


async def test_link_and_unlink_create_no_credits(core: Core) -> None:
    await core.store.grant(TG, 5, now(core))
    await core.store.grant(DC, 3, now(core))
    await spend(core, TG, 4)
    await spend(core, DC, 3)
    assert (await left(core, TG), await left(core, DC)) == (6 + 5, 7 + 3)

    reply = await link(core, TG, DC)
    assert not reply.error and "3 bonus and bought credits" in reply.text, reply.text
    # one balance: today's usage is the sum (7 of 10), the bonuses add up (8)
    assert await left(core, TG) == await left(core, DC) == 3 + 8
    assert await grants(core) == 8  # the bonus moved, none was made
    moved = [(e.user, e.amount) for e in await core.store.ledger() if e.note.startswith("link")]
    assert moved == [("discord:2", -3), ("telegram:1", 3)]

    reply = await say(core, DC, "/unlink")
    assert not reply.error, reply.text
    # the account keeps its bonus and its usage; the leaver has no free credits today
    assert (await left(core, TG), await left(core, DC)) == (3 + 8, 0)
    assert await grants(core) == 8
    core.service.clock.now += 86_400  # type: ignore[attr-defined]
    assert (await left(core, TG), await left(core, DC)) == (PER_DAY + 8, PER_DAY)


async def test_the_primary_may_leave_and_the_account_stays_with_the_other(core: Core) -> None:
    await core.store.grant(TG, 5, now(core))
    await spend(core, DC, 2)
    assert not (await link(core, TG, DC)).error  # TG's account is the one joined
    assert not (await say(core, ADMIN, "/ban discord:2")).error
    reply = await say(core, TG, "/unlink")
    assert not reply.error and "discord:2" in reply.text, reply.text
    assert await core.store.linked_users("discord:2") == ["discord:2"]
    balance = await core.store.balance(DC, utc_day(now(core)))
    assert (balance.bonus, balance.used_today, balance.banned) == (5, 2, True)
    left_tg = await core.store.balance(TG, utc_day(now(core)))
    assert (left_tg.left(PER_DAY), left_tg.banned) == (0, True)
    assert await grants(core) == 5


async def test_the_daily_free_credits_come_once_for_both_platforms(core: Core) -> None:
    assert not (await link(core, TG, DC)).error
    await spend(core, TG, 6)
    await spend(core, DC, 4)
    assert await left(core, TG) == await left(core, DC) == 0
    with pytest.raises(Exception, match="err_no_credits"):
        await spend(core, DC, 1)
    usage = {(u.user, u.used) for u in (await core.store.accounts()).usage}
    assert usage == {("telegram:1", 6), ("discord:2", 4)}  # each job's row is its asker's


async def test_a_ban_follows_the_account(core: Core) -> None:
    assert not (await link(core, TG, DC)).error
    assert not (await say(core, ADMIN, "/ban telegram:1")).error
    assert (await core.store.balance(DC, utc_day(now(core)))).banned
    refusal = await core.service.admit(DC, "en")
    assert refusal is not None and refusal.error
    await say(core, DC, "/unlink")
    assert (await core.store.balance(DC, utc_day(now(core)))).banned  # not shed by leaving


async def test_admin_rights_follow_the_account(core: Core) -> None:
    assert (await say(core, DC, "/stats")).error
    assert not (await link(core, ADMIN, DC)).error
    assert not (await say(core, DC, "/stats")).error


async def test_jobs_lists_the_videos_of_both_platforms(core: Core) -> None:
    await spend(core, TG, 1)
    core.service.clock.now += 1  # type: ignore[attr-defined]
    await spend(core, DC, 1)
    assert (await say(core, DC, "/jobs")).text.count("a fox") == 1
    assert not (await link(core, TG, DC)).error
    assert (await say(core, DC, "/jobs")).text.count("a fox") == 2
    assert (await say(core, TG, "/jobs")).text.count("a fox") == 2


async def test_an_expired_or_reused_code_is_refused(core: Core) -> None:
    code = code_of(await say(core, TG, "/link"))
    core.service.clock.now += 601  # type: ignore[attr-defined]
    assert "unknown, used or expired" in (await say(core, DC, f"/link {code}")).text

    code = code_of(await say(core, TG, "/link"))
    assert not (await say(core, DC, f"/link {code.lower()}")).error
    await say(core, DC, "/unlink")
    other = UserRef("discord", "3")
    assert "unknown, used or expired" in (await say(core, other, f"/link {code}")).text


async def test_guessing_codes_is_cut_short(core: Core) -> None:
    code = code_of(await say(core, TG, "/link"))
    for guess in ("AAAAAAAA", "BBBBBBBB", "CCCCCCCC", "DDDDDDDD", "EEEEEEEE"):
        assert (await say(core, DC, f"/link {guess}")).error
    assert "Too many" in (await say(core, DC, f"/link {code}")).text  # even the right one


async def test_no_link_while_a_job_renders(core: Core) -> None:
    job_id = await spend(core, DC, 2, charge=False)
    assert "still rendering" in (await link(core, TG, DC)).text
    await core.store.settle(job_id, charge=False, state=JobState.FAILED, now=now(core))
    assert not (await link(core, TG, DC)).error
    assert await left(core, TG) == PER_DAY  # the refund went back where it was taken


async def test_codes_are_not_logged(core: Core, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    code = code_of(await say(core, TG, "/link"))
    await say(core, DC, f"/link {code}")
    assert code not in caplog.text


async def test_both_users_reserving_at_once_spend_the_account_once(core: Core) -> None:
    await core.store.grant(TG, 4, now(core))
    assert not (await link(core, TG, DC)).error
    t = now(core)
    results = await asyncio.gather(
        *(core.store.reserve(new_job(u, 3, t), policy_at(t, 100), t) for u in [TG, DC] * 5),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, QuotaError)]
    assert len(refused) == 6, results  # 10 free + 4 bonus pay for four jobs of 3, no more
    balance = await core.store.balance(TG, utc_day(t))
    assert (balance.left(PER_DAY), balance.bonus, balance.active) == (2, 2, 4)


async def test_show_sends_a_video_of_a_linked_user(core: Core) -> None:
    t = now(core)
    job = new_job(TG, 1, t)
    await core.store.reserve(job, policy_at(t), t)
    url = "https://cdn.example/fox.mp4"
    patch = JobPatch(result_url=url)
    await core.store.settle(job.id, charge=True, state=JobState.DELIVERED, now=t, patch=patch)
    assert (await say(core, DC, f"/show {job.id[:8]}")).error  # a stranger's, until linked
    assert not (await link(core, TG, DC)).error
    reply = await say(core, DC, f"/show {job.id[:8]}")
    assert not reply.error and url in reply.text, reply.text
