"""The benchmarks still speak the core's current interface: a handful of commands through
each, so a change to the ports fails here rather than in the next person's measurement."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # bench/ is a folder of scripts, not an installed package
    sys.path.insert(0, str(ROOT))

from bench.fit_lag import run as fit_lag  # noqa: E402
from bench.intake import run  # noqa: E402


async def test_intake_accepts_every_command(tmp_path: Path) -> None:
    row = await run(commands=50, users=5, concurrency=5, db_dir=tmp_path)
    assert row["accepted"] == row["jobs_in_db"] == 50, row["refusals"]


async def test_fairness_runs_small() -> None:
    import argparse

    from bench.fairness import run as fairness

    args = argparse.Namespace(
        scale=0.01, slots=2, light=4, heavy_jobs=3, warmup=2, seed=1, no_fifo=True, spread="0.5"
    )
    mixed, alone, spread, _ = await fairness(args)
    assert (mixed["jobs"], alone["jobs"], spread["jobs"]) == (7, 4, 7)
    assert (mixed["arrivals"], spread["arrivals"]) == ("at once", "over 0.5 min")
    assert 0 < mixed["jain (light waits)"] <= 1 and 0 <= mixed["before upper"] <= 1
    assert mixed["light wait max s"] >= 0 and len(mixed["waits"]) == 7


async def test_fit_lag_reencodes_under_the_limit_and_reports_the_lag() -> None:
    row = await fit_lag(size="96x64", seconds=1, limit_mib=0.1)
    assert row["source_mb"] > row["limit_mb"] >= row["fitted_mb"]
    assert row["lag_samples"] > 0 and row["lag_max_ms"] is not None


async def test_group_pool_pays_every_reserve_from_the_pool() -> None:
    from bench.group_pool import run as group_pool

    rows = await group_pool(bursts=2, burst=5, postgres=None)
    assert [(r["paid from"], r["reserves"]) for r in rows] == [
        ("own credits", 10),
        ("a group's pool", 10),
    ]


def test_blocklist_bench_checks_prompts_that_match_nothing() -> None:
    from bench.blocklist import run as blocklist

    row = blocklist(words=50, patterns=2, length=200, checks=5)
    assert row["words"] == 50 and row["check µs"] > 0


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_telegram_takeover_runs_a_round(database_url: str) -> None:
    from bench.telegram_takeover import run as takeover

    row = await takeover(rounds=1, database_url=database_url)
    assert row["rounds"] == 1 and row["takeover max s"] > 0


def test_capacity_procs_delivers_every_job_once_over_two_processes(
    postgres_run_database: str | BaseException,
) -> None:
    import argparse

    from bench.capacity_procs import run_row
    from tests import postgres

    if isinstance(postgres_run_database, BaseException):
        reason = postgres.unreachable_reason(postgres_run_database)
        if postgres.required():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    args = argparse.Namespace(
        jobs=10, database=postgres.server_url(), interval=0.5, min=0.2, max=0.5, seed=1, senders=4
    )
    row = run_row("postgresql", 2, args)
    assert (row["jobs"], row["delivered"], row["failed"]) == (10, 10, 0)
    assert row["lost"] == row["dup_deliveries"] == row["dup_submissions"] == 0
    assert row["polls_per_job"] > 0 and row["pg_cpu_ms_per_job"] is not None
