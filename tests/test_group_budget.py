"""/groupquota and a group's jobs, through the real core on Runway's emulator: a chat's
admin sets a pool (a plain member is refused before anything is read), jobs asked there
draw from it within each member's cap, and the refusals say when it resets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.bootstrap import Core
from bot.chat import ChatAddress, StoredChat
from bot.commands import read
from bot.models import JobState, UserRef
from bot.service import Incoming, utc_day
from tests.emulators.runway import RunwayEmulator
from tests.helpers import finished
from tests.postgres import BACKENDS
from tests.test_core_quota import core_with

pytestmark = [pytest.mark.emulator(run_seconds=60), BACKENDS]

GROUP = "test:-100"
ANN, BOB, CY, ADMIN = (UserRef("test", n) for n in ("1", "2", "3", "99"))


@dataclass(frozen=True)
class GroupChat:
    """A group chat of a test platform (the adapters' records have their own tests)."""

    key: str | None = GROUP

    def to_json(self) -> dict[str, Any]:
        return {"group": self.key}

    def same_place(self, other: ChatAddress) -> bool:
        return False

    def group_key(self) -> str | None:
        return self.key


class Asked:
    """A chat admin check that answers `answer` and counts how often it was asked."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.calls = 0

    async def __call__(self) -> bool:
        self.calls += 1
        return self.answer


async def ask(
    core: Core, text: str, user: UserRef, chat: ChatAddress | None = None, admin: bool = False
) -> str:
    check = Asked(admin)
    incoming = Incoming(user=user, command=read(text), chat=chat or GroupChat(), chat_admin=check)
    return (await core.service.handle(incoming)).text


@pytest.fixture
async def core(tmp_path: Path, emu: RunwayEmulator, database_url: str) -> Any:
    made = await core_with(tmp_path, emu, database_url, quota_credits_per_day=0)
    yield made
    await made.aclose()


async def test_a_chat_admin_sets_a_pool_that_pays_for_the_chats_jobs(core: Core) -> None:
    assert "no group budget" in await ask(core, "/groupquota", ANN, admin=True)
    assert "3 credits a day to share" in await ask(core, "/groupquota 3", ANN, admin=True)
    assert "at most 2 a member" in await ask(core, "/groupquota member 2", ANN, admin=True)
    first = await ask(core, "/video a fox", ANN)
    assert "Credits left today: 1 for you from this chat's group budget" in first
    await ask(core, "/video a second fox", ANN)
    share = await ask(core, "/video a third fox", ANN)
    assert "used your share" in share and "(2 a member)" in share and "resets in" in share
    assert "On it" in await ask(core, "/video a bear", BOB)
    pool = await ask(core, "/video a cat", CY)
    assert "group budget for today is used up" in pool and "resets in" in pool
    day = utc_day(core.engine.clock())
    for user in (ANN, BOB, CY):  # their own (zero) credits were never asked
        assert (await core.store.balance(user, day)).used_today == 0
    report = await ask(core, "/groupquota", ANN, admin=True)
    assert "3 credits a day, at most 2 a member" in report and "left: 0" in report
    assert report.index("test:1: 2") < report.index("test:2: 1")
    assert "Not enough credits" in await ask(core, "/video a fox", ANN, GroupChat("test:-7"))
    assert "group budget pays: 0 left for you today" in await ask(core, "/quota", BOB)
    assert "group budget" not in await ask(core, "/quota", BOB, StoredChat())


async def test_a_plain_member_is_refused_before_anything_changes(core: Core) -> None:
    check = Asked(False)
    for text in ("/groupquota 50", "/groupquota", "/groupquota off"):
        incoming = Incoming(user=BOB, command=read(text), chat=GroupChat(), chat_admin=check)
        reply = await core.service.handle(incoming)
        assert reply.error and "Only this chat's admins" in reply.text
    assert check.calls == 3
    no_port = Incoming(user=BOB, command=read("/groupquota 5"), chat=GroupChat())
    assert "Only this chat's admins" in (await core.service.handle(no_port)).text
    assert await core.store.group_day(GROUP, utc_day(core.engine.clock())) is None


async def test_bot_admins_may_anywhere_without_asking_the_platform(core: Core) -> None:
    check = Asked(False)
    incoming = Incoming(
        user=ADMIN, command=read("/groupquota 9"), chat=GroupChat(), chat_admin=check
    )
    assert "9 credits a day" in (await core.service.handle(incoming)).text
    assert check.calls == 0
    assert "removed" in await ask(core, "/groupquota off", ADMIN)
    assert "no group budget" in await ask(core, "/groupquota off", ADMIN)
    assert "Not enough credits" in await ask(core, "/video a fox", ANN)  # own credits again


async def test_every_budget_change_is_in_the_audit_log(core: Core) -> None:
    await ask(core, "/groupquota 9", ANN, admin=True)
    await ask(core, "/groupquota member 3", ADMIN)
    await ask(core, "/groupquota member off", ANN, admin=True)
    await ask(core, "/groupquota off", ANN, admin=True)
    await ask(core, "/groupquota 50", BOB, admin=False)  # refused: not written
    entries = await core.store.audit_log(0.0)
    seen = [(e.actor, e.action, e.target, e.before, e.after) for e in reversed(entries)]
    assert seen == [
        ("test:1", "groupquota", GROUP, "off", "9/day"),
        ("test:99", "groupquota", GROUP, "9/day", "9/day, 3/member"),
        ("test:1", "groupquota", GROUP, "9/day, 3/member", "9/day"),
        ("test:1", "groupquota", GROUP, "9/day", "off"),
    ]


async def test_private_chats_and_bad_input_get_an_explanation(core: Core) -> None:
    private = await ask(core, "/groupquota 5", ANN, StoredChat(), admin=True)
    assert "/groupquota is for groups" in private
    for typed in ("/groupquota -5", "/groupquota 0", "/groupquota lots", "/groupquota member"):
        assert "Usage: /groupquota 50" in await ask(core, typed, ADMIN)
    assert "no group budget" in await ask(core, "/groupquota member 3", ADMIN)
    zh = Incoming(user=ANN, command=read("/groupquota"), locale="zh", chat=StoredChat())
    assert "用于群组" in (await core.service.handle(zh)).text


async def test_admission_looks_at_the_pool_before_any_download(core: Core) -> None:
    await ask(core, "/groupquota 1", ADMIN)
    assert await core.service.admit(ANN, "en", GroupChat()) is None  # no own credits: fine
    await ask(core, "/video a fox", ANN)
    refusal = await core.service.admit(BOB, "en", GroupChat())
    assert refusal is not None and "used up" in refusal.text
    elsewhere = await core.service.admit(BOB, "en", StoredChat())
    assert elsewhere is not None and "Not enough credits" in elsewhere.text


async def test_a_cancelled_job_gives_its_credits_back_to_the_pool(core: Core) -> None:
    await core.start()
    await ask(core, "/groupquota 2", ADMIN)
    reply = await core.service.handle(Incoming(ANN, read("/video a fox"), chat=GroupChat()))
    assert reply.job is not None
    day = utc_day(core.engine.clock())
    assert await pool_left(core, ANN) == 1
    assert "Cancelled" in await ask(core, f"/cancel {reply.job.short_id}", ANN)
    assert await finished(core, reply.job.id) is JobState.CANCELLED
    assert await pool_left(core, ANN) == 2
    assert (await core.store.balance(ANN, day)).used_today == 0


async def test_the_cost_question_counts_the_pool(
    tmp_path: Path, emu: RunwayEmulator, database_url: str
) -> None:
    core = await core_with(
        tmp_path, emu, database_url, quota_credits_per_day=0, confirm_above_credits=1
    )
    try:
        await ask(core, "/groupquota 9", ADMIN)
        await ask(core, "/groupquota member 4", ADMIN)
        question = await ask(core, "/video --duration 10 a long fox", ANN)
        assert "costs 2 credits; you have 4 left" in question
        assert "you have 0 left" in await ask(core, "/video --duration 10 a fox", ANN, StoredChat())
    finally:
        await core.aclose()


async def pool_left(core: Core, user: UserRef) -> int | None:
    day = await core.store.group_day(GROUP, utc_day(core.engine.clock()))
    return None if day is None else day.member_left(str(user))
