"""Prices by model and length (QUOTA_COSTS), what the replies say they cost, and the vendor's
own credits kept with each job for the operator."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from adapters.cli import load_settings, main
from bot.bootstrap import Core
from bot.commands import read
from bot.config import Settings
from bot.models import JobState, TaskStatus, UserRef
from bot.service import Incoming, utc_day
from bot.vendors.runway.tasks import parse_task
from tests.emulators.runway import RunwayEmulator
from tests.helpers import RecordingSink, finished, runway_core

pytestmark = pytest.mark.emulator(run_seconds=0.1)

USER = UserRef("test", "1")


def table(costs: dict[str, float] | None = None) -> Settings:
    return Settings(_env_file=None, quota_costs=costs or {})  # type: ignore[call-arg]


# the table


def test_defaults_follow_runways_credits_per_second() -> None:
    """5 s of gen4_turbo (25 Runway credits) is 1 credit; the rest cost in proportion."""
    s = table()
    assert [s.cost("gen4_turbo", d) for d in (5, 10)] == [1, 2]
    assert [s.cost("gen4.5", d) for d in (2, 5, 10)] == [1, 3, 5]  # 12 cr/s: 0.48 a second
    assert [s.cost("veo3.1", d) for d in (4, 8)] == [7, 13]  # 40 cr/s
    assert [s.cost("veo3.1_fast", d) for d in (4, 8)] == [3, 5]  # 15 cr/s, longest prefix
    assert s.cost("aleph2", 5) == s.cost("gen4_aleph", 5) == 3
    assert s.cost("act_two", 5) == s.cost("local", 5) == 1
    assert s.cost("some_new_model", 10) == 2  # unpriced: gen4_turbo's rate


def test_per_second_prices_round_up_with_a_minimum_of_one() -> None:
    s = table({"veo3.1:per_second": 0.4, "cheap:per_second": 0.01, "*:per_second": 0.2})
    assert [s.cost("veo3.1", d) for d in (4, 6, 8)] == [2, 3, 4]  # 1.6, 2.4, 3.2 rounded up
    assert s.cost("cheap", 2) == 1
    assert [s.cost("gen4.5", d) for d in (5, 7, 10)] == [1, 2, 2]  # no float error at 5 s


def test_the_most_specific_key_wins_and_the_old_forms_still_work() -> None:
    s = table({"*:5": 1, "*:10": 2, "gen4_aleph:5": 3, "veo3.1:8": 20, "veo3.1:per_second": 1})
    assert s.cost("gen4_aleph", 5) == 3  # model:seconds
    assert s.cost("veo3.1", 8) == 20  # model:seconds before model:per_second
    assert s.cost("veo3.1", 6) == 6  # model:per_second
    assert s.cost("gen4.5", 5) == 1 and s.cost("gen4.5", 10) == 2  # *:seconds
    assert s.cost("gen4.5", 7) == 4  # nothing in the table: the default rate
    assert table({"*:5": 0}).cost("x", 5) == 0  # a free length is the operator's call


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ('{"gen4.5:ten": 2}', "gen4.5:ten"),
        ('{"veo3.1": 2}', "veo3.1"),
        ('{"*:5": 1.5}', "*:5"),
        ('{"gen4.5:per_second": -1}', "gen4.5:per_second"),
        ('{"gen4.5:per_second": "cheap"}', "gen4.5:per_second"),
        ('{"bad model:5": 1}', "bad model:5"),
        ('{"*:5": 1,', "not JSON"),
        ("[1, 2]", "JSON object"),
    ],
)
def test_a_bad_table_stops_the_start_with_one_line_naming_the_key(
    clean_env: None, monkeypatch: pytest.MonkeyPatch, value: str, named: str
) -> None:
    monkeypatch.setenv("QUOTA_COSTS", value)
    with pytest.raises(SystemExit) as stopped:
        load_settings()
    message = str(stopped.value)
    assert "\n" not in message and "QUOTA_COSTS" in message and named in message


def test_the_table_is_read_from_the_environment(
    clean_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUOTA_COSTS", '{"*:5": 2, "veo3.1:per_second": 0.4}')
    s = load_settings()
    assert s.cost("gen4.5", 5) == 2 and s.cost("veo3.1", 8) == 4


# what the replies say


async def core_with(tmp_path: Path, emu: RunwayEmulator, **kw: object) -> Core:
    core = await runway_core(tmp_path, emu.base_url, **kw)
    core.engine.subscribe("test", RecordingSink())
    await core.start()
    return core


async def test_the_accepted_reply_names_the_cost_and_it_is_what_is_charged(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    core = await core_with(
        tmp_path, emu, quota_costs={"gen4.5:per_second": 0.5}, quota_credits_per_day=20
    )
    try:
        reply = await core.service.handle(
            Incoming(user=USER, command=read("/video --yes --duration 7 a fox"))
        )
        assert reply.job is not None and reply.job.cost == 4  # 3.5 rounded up
        assert "Cost: 4 credit(s). Credits left today: 16" in reply.text
        assert await finished(core, reply.job.id) is JobState.DELIVERED
        zh = await core.service.handle(
            Incoming(user=USER, command=read("/video --duration 2 一只狐狸"), locale="zh-CN")
        )
        assert zh.job is not None and "消耗 1 点" in zh.text and "今天剩余额度:15" in zh.text
        assert await finished(core, zh.job.id) is JobState.DELIVERED
        charges = [(e.kind, e.amount) for e in await core.store.ledger() if e.kind == "charge"]
        assert charges == [("charge", 4), ("charge", 1)]
        balance = await core.store.balance(USER, utc_day(core.engine.clock()))
        assert balance.used_today == 5
    finally:
        await core.aclose()


async def test_quota_and_help_show_the_default_models_prices(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    core = await core_with(tmp_path, emu, quota_costs={})  # the built-in prices
    try:
        quota = await core.service.handle(Incoming(user=USER, command=read("/quota")))
        for shown in (
            "gen4.5: 2 s = 1, 10 s = 5",
            "veo3.1_fast: 4 s = 3, 8 s = 5",
            "aleph2: 5 s = 3",
            "act_two: 5 s = 1",
            "⤴ magnific_video_upscaler_creative: 5 s = 3, 10 s = 6",
        ):
            assert shown in quota.text
        help_text = await core.service.handle(Incoming(user=USER, command=read("/help")))
        assert "gen4.5: 2 s = 1, 10 s = 5" in help_text.text
        zh = await core.service.handle(Incoming(user=USER, command=read("/quota"), locale="zh"))
        assert "gen4.5:2 秒 1 点, 10 秒 5 点" in zh.text
    finally:
        await core.aclose()


# the vendor's own credits


def test_runway_task_answers_carry_the_vendors_credits() -> None:
    running = parse_task(
        {"id": "t", "status": "RUNNING", "progress": 0.5, "estimatedCost": {"credits": 114}}, "rw"
    )
    assert running is not None and running.vendor_cost == 114
    done = parse_task(
        {"id": "t", "status": "SUCCEEDED", "output": ["https://x/v.mp4"], "cost": {"credits": 60}},
        "rw",
    )
    assert done is not None and done.status is TaskStatus.SUCCEEDED and done.vendor_cost == 60
    refunded = parse_task({"id": "t", "status": "FAILED", "cost": {"credits": 0}}, "rw")
    assert refunded is not None and refunded.vendor_cost == 0
    for odd in ({}, {"credits": True}, {"credits": "9"}, {"credits": -1}, 5):
        state = parse_task({"id": "t", "status": "PENDING", "estimatedCost": odd}, "rw")
        assert state is not None and state.vendor_cost is None
    # a terminal task's estimate is not its charge
    late = parse_task({"id": "t", "status": "SUCCEEDED", "estimatedCost": {"credits": 9}}, "rw")
    assert late is not None and late.vendor_cost is None


async def test_the_vendors_cost_is_kept_with_the_job_and_listed_by_videobot_jobs(
    tmp_path: Path,
    emu: RunwayEmulator,
    clean_env: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'videobot.db'}")
    core = await core_with(tmp_path, emu, quota_credits_per_day=20)
    try:
        made = await core.service.handle(Incoming(user=USER, command=read("/video a fox")))
        failed = await core.service.handle(
            Incoming(user=USER, command=read("/video --duration 10 a [fail] fox"))
        )
        assert made.job is not None and failed.job is not None
        assert await finished(core, made.job.id) is JobState.DELIVERED
        assert await finished(core, failed.job.id) is JobState.FAILED
        job = await core.store.get_job(made.job.id)
        assert job is not None and job.vendor_cost == 60  # gen4.5: 12 Runway credits x 5 s
        lost = await core.store.get_job(failed.job.id)
        assert lost is not None and lost.vendor_cost == 0  # Runway refunds a failed task

        code = await asyncio.to_thread(main, ["jobs"])
        out = capsys.readouterr().out
        assert code == 0
        header, *rows = [line.split() for line in out.strip().splitlines()]
        assert "VENDOR" in header and "COST" in header
        by_id = {row[0]: row for row in rows}
        # JOB, date, time, USER, STATUS, VENDOR, TASK, COST, VENDOR COST, ...
        assert by_id[made.job.short_id][7:9] == ["1", "60"]
        assert by_id[failed.job.short_id][7:9] == ["2", "0"]
    finally:
        await core.aclose()
