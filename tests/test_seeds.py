"""The seed a job gets when the user gives none: one every vendor it may go to accepts,
sent to each vendor over HTTP (to its emulator) and shown in the delivered video's caption."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.commands import parse
from bot.job_request import planned_request
from bot.seeds import seed_text, settle_seed
from bot.validation import plan
from bot.vendors.runway import RunwayClient
from bot.vendors.useapi import UseapiClient
from tests import test_vendor_matrix as matrix
from tests.emulators.base import VendorEmulator

emu = matrix.emu  # every vendor's emulator in turn, shared with the vendor matrix

RUNWAY = RunwayClient(api_key="k", base_url="http://127.0.0.1:9")
USEAPI = UseapiClient(api_key="k", base_url="http://127.0.0.1:9")


async def test_plan_always_picks_a_seed_both_vendors_take() -> None:
    planned = await plan(parse("/video a fox"), [RUNWAY, USEAPI], images=[], video=None)
    assert planned.vendors == ["runway", "useapi"]  # useapi takes 1..2**32-2, runway 0..2**32-1
    assert planned.request.seed is not None and 1 <= planned.request.seed <= 4294967294
    stored = planned_request(planned.request, planned.vendors, planned.spec.name)
    assert stored.seed == planned.request.seed  # stored with the job
    given = await plan(parse("/video a fox --seed 0"), [RUNWAY, USEAPI], images=[], video=None)
    assert (given.request.seed, given.vendors) == (0, ["runway"])


def test_a_picked_seed_fits_every_range_or_drops_the_vendors_it_cannot() -> None:
    spec = RUNWAY.capabilities.models[0]
    low, high = replace(spec, seed_min=0, seed_max=10), replace(spec, seed_min=10, seed_max=20)
    assert settle_seed(None, [("a", low), ("b", high)]) == (10, [("a", low), ("b", high)])
    apart = replace(spec, seed_min=11, seed_max=20)
    seed, kept = settle_seed(None, [("a", low), ("b", apart)])
    assert 0 <= seed <= 10 and kept == [("a", low)]
    assert settle_seed(15, [("a", low), ("b", high)]) == (15, [("b", high)])


def test_seed_text() -> None:
    assert (seed_text(42), seed_text(None)) == ("42", "—")


def _seeds(body: Any) -> list[Any]:
    """Every value under a "seed" key, however deep the vendor nests it."""
    if isinstance(body, dict):
        own = [body["seed"]] if "seed" in body else []
        return own + [s for v in body.values() for s in _seeds(v)]
    if isinstance(body, list):
        return [s for v in body for s in _seeds(v)]
    return []


async def test_every_vendor_is_sent_the_seed_the_caption_shows(
    tmp_path: Path, emu: VendorEmulator
) -> None:
    core, job_id, sink = await matrix.run_one(tmp_path, emu, "the clouds drift")
    try:
        job = await core.store.get_job(job_id)
        assert job is not None and isinstance(job.request.seed, int)
        sent = [s for r in emu.log if r["method"] == "POST" for s in _seeds(r.get("json"))]
        assert sent == [job.request.seed]
        assert sink.delivered[0][2].endswith(f"seed {job.request.seed}")
    finally:
        await core.aclose()
