"""The admin CLI (`videobot users | grant | jobs | refund | export-ledger`) through
`adapters.cli.main`, on the same database file a running core has open.

The CLI runs in a worker thread (it calls asyncio.run) while the core runs in the test loop,
so every command here really is a second connection to a database in use.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.cli import main
from bot import texts
from bot.bootstrap import Core
from bot.commands import read
from bot.events import EventKind, JobEvent
from bot.jobs import operator
from bot.models import Job, JobState, UserRef
from bot.service import Incoming, utc_day
from bot.vendors.runway import RunwayClient
from tests.emulators.runway import RunwayEmulator
from tests.helpers import RecordingSink, make_core, wait_until

pytestmark = pytest.mark.emulator(run_seconds=0.1)

ALICE = UserRef("telegram", "1001")
BOB = UserRef("discord", "2002")


@pytest.fixture(autouse=True)
def admin_env(clean_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUOTA_CREDITS_PER_DAY", "10")
    monkeypatch.setenv("ADMIN_USER_IDS", "discord:2002")  # as the bot below is configured


@pytest.fixture
async def core(tmp_path: Path, emu: RunwayEmulator) -> AsyncIterator[Core]:
    client = RunwayClient(api_key="test-key", base_url=emu.base_url)
    core = await make_core(
        tmp_path,
        vendors=[client],
        video_vendors=["runway"],
        quota_credits_per_day=10,
        admin_user_ids=["discord:2002"],
    )
    core.engine.subscribe("telegram", RecordingSink())
    core.engine.subscribe("discord", RecordingSink())
    await core.start()
    yield core
    await core.aclose()


async def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = await asyncio.to_thread(main, list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def video(core: Core, user: UserRef, text: str) -> str:
    reply = await core.service.handle(Incoming(user=user, command=read(text)))
    assert reply.job is not None, reply.text
    return reply.job.id


async def settled(core: Core, job_id: str) -> JobState:
    async def done() -> bool:
        job = await core.store.get_job(job_id)
        return job is not None and job.state.terminal

    await wait_until(done)
    await core.engine.wait([job_id])
    job = await core.store.get_job(job_id)
    assert job is not None
    return job.state


def table(out: str) -> list[list[str]]:
    """Rows of a printed table, split on runs of two or more spaces."""
    import re

    return [re.split(r"\s{2,}", line.strip()) for line in out.strip().splitlines()]


async def test_users_shows_balances_and_usage(
    core: Core, capsys: pytest.CaptureFixture[str]
) -> None:
    first = await video(core, ALICE, "/video a fox --duration 10")
    await video(core, BOB, "/video an admin's video")
    assert await settled(core, first) is JobState.DELIVERED
    await core.engine.wait()
    code, out, _ = await cli(capsys, "grant", "telegram:1001", "3")
    assert code == 0

    code, out, _ = await cli(capsys, "users")
    assert code == 0
    assert (
        out.splitlines()[0]
        == f"credits on {utc_day(core.engine.clock())} (UTC), 10 per user per day"
    )
    rows = {row[0]: row for row in table(out)[1:]}
    assert rows["USER"][:7] == ["USER", "LEFT", "USED", "BONUS", "JOBS", "DELIVERED", "SPENT"]
    # Alice: 10 - 2 used + 3 bonus = 11 left; one delivered 10 s video spent 2.
    assert rows["telegram:1001"][:7] == ["telegram:1001", "11", "2", "3", "1", "1", "2"]
    assert rows["discord:2002"][1] == "unlimited"


async def test_grant_is_seen_by_the_running_bot_at_once(
    core: Core, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = await cli(capsys, "grant", "telegram:1001", "5", "--note", "contest prize")
    assert (code, out) == (0, "telegram:1001: +5 credits, bonus balance now 5\n")
    balance = await core.store.balance(ALICE, utc_day(core.engine.clock()))
    assert balance.bonus == 5 and balance.left(10) == 15
    code, out, _ = await cli(capsys, "grant", "telegram:1001", "-7")  # never below zero
    assert out == "telegram:1001: -7 credits, bonus balance now 0\n"
    grants = [e for e in await core.store.ledger() if e.kind == "grant"]
    assert [(e.amount, e.note) for e in grants] == [(5, "contest prize"), (-5, "admin CLI")]
    audited = [
        (e.source, e.action, e.target, e.before, e.after, e.note)
        for e in await core.store.audit_log(0)
    ]
    assert audited == [
        ("cli", "grant", "telegram:1001", "5", "0", "-7"),
        ("cli", "grant", "telegram:1001", "0", "5", "+5 contest prize"),
    ]

    code, _, err = await cli(capsys, "grant", "alice", "5")
    assert code == 1 and "expected platform:id" in err


async def test_jobs_lists_and_filters_by_status(
    core: Core, capsys: pytest.CaptureFixture[str]
) -> None:
    done = await video(core, ALICE, "/video a quiet harbour")
    assert await settled(core, done) is JobState.DELIVERED
    stuck = await video(core, ALICE, "/video a [never] ending story")

    async def running() -> bool:
        job = await core.store.get_job(stuck)
        return job is not None and job.state is JobState.RUNNING

    await wait_until(running)

    code, out, _ = await cli(capsys, "jobs")
    assert code == 0
    header, *rows = table(out)
    assert header == [
        "JOB", "CREATED (UTC)", "USER", "STATUS", "VENDOR", "TASK", "COST", "VENDOR COST",
        "ERROR", "PROMPT",
    ]  # fmt: skip
    assert [r[0] for r in rows] == [stuck[:8], done[:8]]  # newest first
    assert rows[1][2:5] == ["telegram:1001", "delivered", "runway"]

    code, out, _ = await cli(capsys, "jobs", "--status", "active")
    assert [r[0] for r in table(out)[1:]] == [stuck[:8]]
    code, out, _ = await cli(
        capsys, "jobs", "--status", "delivered,failed", "--user", "telegram:1001"
    )
    assert [r[0] for r in table(out)[1:]] == [done[:8]]
    code, out, _ = await cli(capsys, "jobs", "--status", "cancelled")
    assert out == "no jobs\n"
    code, _, err = await cli(capsys, "jobs", "--status", "stuck")
    assert code == 1 and "unknown status 'stuck'" in err
    await core.engine.cancel(stuck)


async def test_refund_returns_credits_exactly_once(
    core: Core, capsys: pytest.CaptureFixture[str]
) -> None:
    day = utc_day(core.engine.clock())
    stuck = await video(core, ALICE, "/video a [never] ending story --duration 10")

    async def running() -> bool:
        job = await core.store.get_job(stuck)
        return job is not None and job.state is JobState.RUNNING

    await wait_until(running)
    assert (await core.store.balance(ALICE, day)).used_today == 2

    code, out, _ = await cli(capsys, "refund", stuck[:6])  # a unique prefix will do
    assert code == 0
    assert out.startswith(f"job {stuck[:8]} refunded: 2 credit(s) back to telegram:1001\n")
    assert "was running" in out
    assert (await core.store.balance(ALICE, day)).used_today == 0
    job = await core.store.get_job(stuck)
    assert job is not None and job.state is JobState.FAILED and job.error_code == "manual_refund"

    code, _, err = await cli(capsys, "refund", stuck)  # again: nothing moves
    assert code == 1 and "already settled (failed)" in err
    # The bot's own cancel and timeout cannot refund it a second time either.
    await core.engine.cancel(stuck)
    refunds = [e for e in await core.store.ledger() if e.kind == "refund" and e.job_id == stuck]
    assert len(refunds) == 1 and refunds[0].amount == 2
    assert (await core.store.balance(ALICE, day)).used_today == 0
    (audited,) = await core.store.audit_log(0)  # the refund that moved credits, once
    assert (audited.source, audited.action, audited.target) == ("cli", "refund", stuck)
    assert (audited.before, audited.after) == ("running", "failed")
    assert audited.note == "2 credit(s) back to telegram:1001"


@pytest.fixture
def quick_sweep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(operator, "OPERATOR_SWEEP_SECONDS", 0.05)


async def test_a_refund_stops_the_running_job_and_tells_its_user(
    quick_sweep: None, core: Core, emu: RunwayEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    stuck = await video(core, ALICE, "/video a [never] ending story")
    job = None

    async def running() -> bool:
        nonlocal job
        job = await core.store.get_job(stuck)
        return job is not None and job.state is JobState.RUNNING

    await wait_until(running)
    assert job is not None and job.vendor_task_id
    sink = RecordingSink()
    core.engine.subscribe("telegram", sink)

    code, out, _ = await cli(capsys, "refund", stuck)
    assert code == 0 and "stops its vendor task and tells the user" in out

    # Progress from polls before the refund may come first; the refund is one FAILED event.
    def failed() -> list[JobEvent]:
        return [e for e in sink.events if e.kind is EventKind.FAILED]

    await wait_until(lambda: bool(failed()))
    (event,) = failed()
    assert event.job.id == stuck
    assert event.text == texts.t(None, "failed_operator", cost=1)
    assert core.engine.in_flight == 0  # no more polling a job nobody pays for
    assert emu.tasks[job.vendor_task_id].cancelled  # nor rendering it at the vendor
    assert await core.store.pending_notices(0) == []  # seen, so not shown again
    seen = len(sink.events)
    await asyncio.sleep(0.3)
    assert len(sink.events) == seen and sink.events[-1] is event  # nothing after the refund
    refunds = [e for e in await core.store.ledger() if e.kind == "refund" and e.job_id == stuck]
    assert len(refunds) == 1


class SlowSink(RecordingSink):
    """Holds every hand-over until `release` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.handing_over = asyncio.Event()
        self.release = asyncio.Event()

    async def deliver(self, job: Job, video: Path, caption: str) -> None:
        self.handing_over.set()
        await self.release.wait()
        await super().deliver(job, video, caption)


async def test_a_refund_during_the_hand_over_leaves_the_video_free_and_says_nothing(
    quick_sweep: None, core: Core, capsys: pytest.CaptureFixture[str]
) -> None:
    sink = SlowSink()
    core.engine.subscribe("telegram", sink)
    job_id = await video(core, ALICE, "/video handed over while refunded")
    await asyncio.wait_for(sink.handing_over.wait(), 10)

    code, _, _ = await cli(capsys, "refund", job_id)
    assert code == 0
    await asyncio.sleep(0.2)  # the bot has seen the refund and waits for the hand-over
    sink.release.set()
    await core.engine.wait([job_id])
    await asyncio.sleep(0.2)

    assert [j.id for j, _, _ in sink.delivered] == [job_id]  # the video arrived
    assert [e.kind for e in sink.events if e.kind is EventKind.FAILED] == []  # no "stopped"
    assert await core.store.pending_notices(0) == []  # nor after a restart
    kinds = [e.kind for e in await core.store.ledger() if e.job_id == job_id]
    assert kinds == ["reserve", "refund"]  # and it is not charged


async def test_a_refund_while_the_bot_is_stopped_is_told_at_its_start(
    tmp_path: Path, emu: RunwayEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    client = RunwayClient(api_key="test-key", base_url=emu.base_url)
    core = await make_core(tmp_path, vendors=[client], video_vendors=["runway"])
    core.engine.subscribe("telegram", RecordingSink())
    await core.start()
    stuck = await video(core, ALICE, "/video a [never] ending story")
    await core.aclose()

    code, out, _ = await cli(capsys, "refund", stuck)
    assert code == 0 and "(a stopped one, when it starts)" in out

    core = await make_core(tmp_path, vendors=[client], video_vendors=["runway"])
    sink = RecordingSink()
    core.engine.subscribe("telegram", sink)
    await core.start()
    assert core.engine.in_flight == 0
    (event,) = sink.events
    assert (event.kind, event.job.id, event.replayed) == (EventKind.FAILED, stuck, True)
    await core.aclose()


async def test_a_delivered_job_is_not_refunded(
    core: Core, capsys: pytest.CaptureFixture[str]
) -> None:
    job_id = await video(core, ALICE, "/video a delivered video")
    assert await settled(core, job_id) is JobState.DELIVERED
    code, _, err = await cli(capsys, "refund", job_id)
    assert code == 1
    assert "was delivered and charged" in err and "videobot grant telegram:1001 1" in err
    code, _, err = await cli(capsys, "refund", "ffffffff")
    assert code == 1 and "no job matches" in err


async def test_export_ledger_writes_every_movement_as_csv(
    core: Core, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ok = await video(core, ALICE, "/video a kite")
    bad = await video(core, ALICE, "/video a [fail] kite")
    assert await settled(core, ok) is JobState.DELIVERED
    assert await settled(core, bad) is JobState.FAILED
    await cli(capsys, "grant", "telegram:1001", "4", "--note", "sorry, with a comma")

    code, out, _ = await cli(capsys, "export-ledger")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0].keys()) == [
        "id", "time", "user", "job_id", "kind", "amount", "note", "payment_id",
    ]  # fmt: skip
    movements = sorted((r["job_id"][:8], r["kind"], r["amount"]) for r in rows)
    assert movements == sorted(
        [
            (ok[:8], "reserve", "1"),
            (ok[:8], "charge", "1"),
            (bad[:8], "reserve", "1"),
            (bad[:8], "refund", "1"),
            ("", "grant", "4"),
        ]
    )
    assert rows[-1]["note"] == "sorry, with a comma"
    assert rows[0]["time"].endswith("+00:00")

    target = tmp_path / "ledger.csv"
    code, out, err = await cli(capsys, "export-ledger", "--output", str(target))
    assert code == 0 and out == "" and "5 ledger entries written" in err
    header = target.read_text(encoding="utf-8").splitlines()[0]
    assert header == "id,time,user,job_id,kind,amount,note,payment_id"


def test_read_commands_need_an_existing_database(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["users"], ["jobs"], ["refund", "abcd"], ["export-ledger"]):
        assert main(argv) == 1
        assert "no database at" in capsys.readouterr().err


def test_grant_creates_the_database_before_the_first_start(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["grant", "telegram:5", "2"]) == 0
    assert (tmp_path / "videobot.db").exists()
    assert main(["users"]) == 0
    assert "telegram:5" in capsys.readouterr().out


async def test_escape_sequences_in_user_text_are_shown_not_obeyed(
    core: Core, capsys: pytest.CaptureFixture[str]
) -> None:
    """A prompt or user id that carries terminal escapes or bidi overrides prints inert."""
    mallory = UserRef("telegram", "66\x1b]0;owned\x07")
    job_id = await video(core, mallory, "/video a \x1b[2Jfox\x9b31m \u202egnp.exe\x7f")
    assert await settled(core, job_id) is JobState.DELIVERED
    outputs = []
    for argv in (["jobs"], ["users"]):
        code, out, _ = await cli(capsys, *argv)
        assert code == 0
        outputs.append(out)
    # Such an id is refused by grant; its refusal must print inert as well.
    code, out, err = await cli(capsys, "grant", "telegram:77\x1b[31m\u2066x", "1")
    assert code != 0
    outputs.append(out + err)
    everything = "".join(outputs)
    for raw in ("\x1b", "\x07", "\x9b", "\x7f", "\u202e", "\u2066"):
        assert raw not in everything
    assert "a \\x1b[2Jfox\\x9b31m \\u202egnp.exe" in outputs[0]
    assert "telegram:66\\x1b]0;owned\\x07" in outputs[1]
