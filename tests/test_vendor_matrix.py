"""The same stories through the real engine for every vendor, over HTTP to its emulator:
success, moderation, a refused key, 429 and 5xx that recover, and a task that never ends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.bootstrap import Core
from bot.commands import read
from bot.models import JobState, Media, UserRef
from bot.service import Incoming
from tests.emulators.base import Fault, VendorEmulator
from tests.emulators.registry import CASES, client_for
from tests.helpers import RecordingSink, image_bytes, make_core, wait_until

USER = UserRef("test", "1")
VENDORS = sorted(CASES)


@pytest.fixture(params=VENDORS)
async def emu(request: pytest.FixtureRequest) -> AsyncIterator[VendorEmulator]:
    factory = CASES[request.param][0]
    server = factory(run_seconds=0.15)
    server.vendor_id = request.param  # type: ignore[attr-defined]
    async with server:
        yield server


async def run_one(
    tmp_path: Path, emu: VendorEmulator, prompt: str, *, key: str | None = None, **kw: object
) -> tuple[Core, str, RecordingSink]:
    vendor_id: str = emu.vendor_id  # type: ignore[attr-defined]
    client = client_for(vendor_id, emu, key)
    core = await make_core(tmp_path, vendors=[client], video_vendors=[vendor_id], **kw)
    sink = RecordingSink()
    core.engine.subscribe("test", sink)
    await core.start()
    photo = Media(image_bytes((640, 360)), "image/jpeg")
    reply = await core.service.handle(
        Incoming(user=USER, command=read(f"/video {prompt}"), images=[photo])
    )
    assert reply.job is not None, reply.text
    job_id = reply.job.id

    async def ended() -> bool:
        job = await core.store.get_job(job_id)
        return job is not None and job.state.terminal

    await wait_until(ended, timeout=20)
    return core, job_id, sink


async def outcome(core: Core, job_id: str) -> tuple[JobState, list[str]]:
    job = await core.store.get_job(job_id)
    assert job is not None
    return job.state, [e.kind for e in await core.store.ledger()]


async def test_image_to_video_succeeds(tmp_path: Path, emu: VendorEmulator) -> None:
    core, job_id, sink = await run_one(tmp_path, emu, "the clouds drift")
    try:
        assert await outcome(core, job_id) == (JobState.DELIVERED, ["reserve", "charge"])
        assert sink.delivered[0][1].read_bytes()[4:8] == b"ftyp"
    finally:
        await core.aclose()


async def test_moderation_is_refunded(tmp_path: Path, emu: VendorEmulator) -> None:
    core, job_id, sink = await run_one(tmp_path, emu, "nope [moderate]")
    try:
        assert await outcome(core, job_id) == (JobState.FAILED, ["reserve", "refund"])
        assert "refused this content" in sink.events[-1].text
    finally:
        await core.aclose()


async def test_refused_key_is_refunded(tmp_path: Path, emu: VendorEmulator) -> None:
    core, job_id, _ = await run_one(tmp_path, emu, "locked out", key="wrong-key")
    try:
        assert await outcome(core, job_id) == (JobState.FAILED, ["reserve", "refund"])
        assert not emu.tasks
    finally:
        await core.aclose()


async def test_a_key_the_vendor_echoes_never_reaches_the_user(
    tmp_path: Path, emu: VendorEmulator
) -> None:
    """The vendor repeats the key in its error body, as sent, upper-cased and URL-quoted."""
    emu.echo_key = 400
    core, job_id, sink = await run_one(tmp_path, emu, "echo", key="sk-echoed-Key_42/x")
    try:
        assert await outcome(core, job_id) == (JobState.FAILED, ["reserve", "refund"])
        job = await core.store.get_job(job_id)
        assert job is not None
        seen = " ".join([job.error_text or "", *(e.text for e in sink.events)]).lower()
        assert "echoed" not in seen, seen
        assert any(
            r["headers"].get("X-API-Key", "").endswith("Key_42/x")
            or r["headers"].get("Authorization", "").endswith("Key_42/x")
            for r in emu.log
        )  # it was sent
    finally:
        await core.aclose()


async def test_429_then_success(tmp_path: Path, emu: VendorEmulator) -> None:
    emu.fail_next("create", Fault(429, {"error": "Too Many Requests"}, {"Retry-After": "0.1"}))
    core, job_id, _ = await run_one(tmp_path, emu, "patience")
    try:
        assert await outcome(core, job_id) == (JobState.DELIVERED, ["reserve", "charge"])
        assert len(emu.tasks) == 1
    finally:
        await core.aclose()


async def test_5xx_then_success(tmp_path: Path, emu: VendorEmulator) -> None:
    emu.fail_next("create", Fault(503, {"error": "Service unavailable"}))
    emu.fail_next("poll", Fault(500, {"error": "Internal server error"}), times=2)
    core, job_id, _ = await run_one(tmp_path, emu, "resilience")
    try:
        assert await outcome(core, job_id) == (JobState.DELIVERED, ["reserve", "charge"])
        assert len(emu.tasks) == 1
    finally:
        await core.aclose()


async def test_never_finishing_task_times_out_with_refund(
    tmp_path: Path, emu: VendorEmulator
) -> None:
    core, job_id, sink = await run_one(tmp_path, emu, "forever [never]", video_job_timeout=0.8)
    try:
        assert await outcome(core, job_id) == (JobState.FAILED, ["reserve", "refund"])
        assert "took too long" in sink.events[-1].text
    finally:
        await core.aclose()


async def test_dropped_create_is_replayed_only_with_an_idempotency_key(tmp_path: Path) -> None:
    """apiframe honours Idempotency-Key: the engine replays and the vendor holds one task."""
    factory = CASES["apiframe"][0]
    async with factory(run_seconds=0.1) as emu:
        emu.vendor_id = "apiframe"  # type: ignore[attr-defined]
        emu.fail_next("create", Fault(drop=True, process=True))
        core, job_id, sink = await run_one(tmp_path, emu, "replay me")
        try:
            assert await outcome(core, job_id) == (JobState.DELIVERED, ["reserve", "charge"])
            assert len(emu.tasks) == 1 and len(sink.delivered) == 1
            keys = {r["headers"].get("Idempotency-Key") for r in emu.log if r["method"] == "POST"}
            assert len(keys) == 1 and emu.count("POST", "/v2/videos/generate") == 2
        finally:
            await core.aclose()
