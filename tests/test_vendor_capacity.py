"""Vendor capacity: Runway's tier limits per model, read from GET /v1/organization over real
HTTP, keep jobs beyond them waiting in the bot's queue; <ID>_MAX_CONCURRENT overrides."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.commands import read
from bot.models import UserRef
from bot.routing.capacity import DEFAULT_MAX_CONCURRENT, Capacity, resolve
from bot.service import Incoming
from bot.vendors.base import VendorClient
from bot.vendors.limits import VendorLimits, useapi_accounts_limits
from bot.vendors.runway.limits import organization_limits
from tests.emulators.runway import RunwayEmulator
from tests.test_core_engine import _core, start
from tests.test_queue import peak_until_delivered

pytestmark = pytest.mark.emulator(run_seconds=0.4)


def test_organization_limits_are_read_per_model() -> None:
    body = {
        "tier": {
            "models": {
                "gen4.5": {"maxConcurrentGenerations": 2, "maxDailyGenerations": 50},
                "veo3": {"maxConcurrentGenerations": "many"},
                "bad": [],
            }
        }
    }
    limits = organization_limits(body)
    assert limits.per_model == {"gen4.5": 2} and limits.per_day == {"gen4.5": 50}
    assert organization_limits({"tier": {}}) == VendorLimits()
    assert organization_limits(None) == VendorLimits()


@pytest.mark.emulator("useapi", max_jobs=3)
async def test_useapi_reports_its_accounts_max_jobs(client: VendorClient) -> None:
    assert await client.limits() == VendorLimits(total=3)
    assert useapi_accounts_limits({"a": {"maxJobs": 2}, "b": {"maxJobs": 4}}).total == 6
    assert useapi_accounts_limits({"a": {"maxJobs": True}}) == VendorLimits()


def test_the_setting_wins_over_the_report_and_the_default_comes_last() -> None:
    per_model = VendorLimits(per_model={"gen4.5": 2, "veo3": 1})
    assert resolve(None, per_model) == Capacity(1, {"gen4.5": 2, "veo3": 1}, by_model=True)
    assert resolve(5, per_model).limit_of("gen4.5") == 5
    assert resolve(None, VendorLimits(total=3)) == Capacity(3)
    assert resolve(None, None) == Capacity(DEFAULT_MAX_CONCURRENT)
    assert resolve(7, None).pool("gen4.5") == "*"


@pytest.mark.parametrize(("setting", "most"), [(None, 1), (2, 2)])
async def test_jobs_beyond_the_tier_wait_in_the_bots_queue(
    tmp_path: Path, emu: RunwayEmulator, setting: int | None, most: int
) -> None:
    emu.tier_models = {"gen4.5": {"maxConcurrentGenerations": 1}}
    core = await _core(tmp_path, emu, runway_max_concurrent=setting)
    try:
        await start(core)
        replies = await asyncio.gather(
            *(core.service.handle(Incoming(user=UserRef("test", str(i)), command=read("/video a")))
              for i in range(4))
        )  # fmt: skip
        ids = [r.job.id for r in replies if r.job is not None]
        assert len(ids) == 4
        assert await peak_until_delivered(core, emu, ids) == most
    finally:
        await core.aclose()
