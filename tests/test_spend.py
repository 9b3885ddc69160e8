"""Spend in money: the price table, and a day of jobs against the Runway emulator whose
total is the same in `videobot spend`, its CSV, `/stats` and the metrics (on SQLite and
PostgreSQL)."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from pathlib import Path

import pytest

from adapters.cli import main
from adapters.ops.metrics import Metrics
from bot.bootstrap import Core
from bot.commands import read
from bot.models import JobState, UserRef
from bot.service import Incoming
from bot.spend import job_spend, parse_prices, parse_thresholds, per_second
from tests.emulators.runway import RunwayEmulator
from tests.helpers import RecordingSink, finished
from tests.postgres import BACKENDS

ADMIN = UserRef("test", "1")


def test_prices_default_to_runway_published_credits_and_take_overrides() -> None:
    assert per_second({}, "runway", "gen4_turbo") == pytest.approx(0.05)  # 5 credits/s at $0.01
    assert per_second({}, "runway", "veo3.1_fast") == pytest.approx(0.15)
    assert per_second({}, "apiframe", "gen4_turbo") == 0.0  # no published money price
    table = parse_prices("apiframe:*=0.03, runway:gen4_turbo=0.04")
    assert per_second(table, "apiframe", "gen4.5") == 0.03
    assert per_second(table, "runway", "gen4_turbo") == 0.04
    with pytest.raises(ValueError, match="vendor:model=usd_per_second"):
        parse_prices("runway=0.05")
    with pytest.raises(ValueError, match="not a number"):
        parse_prices("runway:*=cheap")
    assert parse_thresholds("runway:500, apiframe:100") == {"runway": 500, "apiframe": 100}
    with pytest.raises(ValueError, match="vendor:amount"):
        parse_thresholds("runway")


def test_a_job_costs_the_vendor_charge_else_the_table_and_a_refund_nothing() -> None:
    kw = {"prices": {}, "vendor": "runway", "model": "gen4_turbo", "seconds": 10}
    assert job_spend(**kw, delivered=True, vendor_cost=None) == pytest.approx(0.5)  # type: ignore[arg-type]
    assert job_spend(**kw, delivered=True, vendor_cost=48) == pytest.approx(0.48)  # type: ignore[arg-type]
    assert job_spend(**kw, delivered=False, vendor_cost=0) == 0  # type: ignore[arg-type]
    assert job_spend(**kw, delivered=False, vendor_cost=None) == 0  # type: ignore[arg-type]
    apiframe = {"prices": {"apiframe:*": 0.03}, "vendor": "apiframe", "model": "m", "seconds": 5}
    assert job_spend(**apiframe, delivered=True, vendor_cost=8) == pytest.approx(0.15)  # type: ignore[arg-type]


@BACKENDS
@pytest.mark.usefixtures("clean_env")
async def test_a_day_of_jobs_costs_the_same_everywhere(
    core: Core, emu: RunwayEmulator, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    core.settings.admin_user_ids.append(str(ADMIN))
    core.settings.quota_credits_per_day = 100
    core.settings.max_jobs_per_user = 10
    core.engine.subscribe("test", RecordingSink())  # the chat the videos go to
    await core.start()
    asks = ["/video a lighthouse", "/video a lighthouse --duration 10", "/video storm [moderate]"]
    ids = []
    for text in asks:
        reply = await core.service.handle(Incoming(user=ADMIN, command=read(text)))
        assert reply.job is not None, reply.text
        ids.append(reply.job.id)
    states = [await finished(core, job_id) for job_id in ids]
    assert states == [JobState.DELIVERED, JobState.DELIVERED, JobState.FAILED]
    jobs = [await core.store.get_job(job_id) for job_id in ids[:2]]
    expected = sum(job.vendor_cost or 0 for job in jobs if job) * 0.01  # Runway's own charge
    assert expected > 0

    monkeypatch.setenv("DATABASE_URL", database_url)
    out, path = io.StringIO(), tmp_path / "spend.csv"
    monkeypatch.setattr("sys.stdout", out)
    assert await asyncio.to_thread(main, ["spend", "--days", "1", "--csv", str(path)]) == 0
    table_total = float(re.search(r"total: 3 jobs, ([0-9.]+) USD", out.getvalue()).group(1))  # type: ignore[union-attr]
    with path.open(encoding="utf-8") as fh:
        csv_total = sum(float(row["usd"]) for row in csv.DictReader(fh))

    stats = await core.service.handle(Incoming(user=ADMIN, command=read("/stats")))
    stats_today = float(re.search(r"\$([0-9.]+) today", stats.text).group(1))  # type: ignore[union-attr]
    stats_week = float(re.search(r"\$([0-9.]+) in the last 7", stats.text).group(1))  # type: ignore[union-attr]

    metrics = Metrics()
    await metrics.refresh_ledger(core.store)
    scraped = re.findall(
        r'^videobot_vendor_spend_usd_total\{model="([^"]+)",process="[^"]+",'
        r'vendor="runway"\} (\S+)$',
        metrics.render().decode(),
        re.M,
    )
    metric_total = sum(float(value) for _, value in scraped)

    cents = round(expected, 2)
    assert table_total == stats_today == stats_week == cents
    assert round(csv_total, 6) == round(metric_total, 6) == pytest.approx(expected)
