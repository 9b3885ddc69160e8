"""What users hear when a vendor fails or refuses a task, over real HTTP against the Runway
emulator on a real SQLite file: catalogue reasons only; the vendor's codes and free text go
to the log and the job's stored error."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.events import EventKind
from bot.models import JobState
from bot.texts import CATALOG
from tests.emulators.base import Fault
from tests.emulators.runway import RunwayEmulator
from tests.helpers import RecordingSink
from tests.test_core_engine import _core, finished, start, used, video


def _notice(sink: RecordingSink) -> str:
    (text,) = [e.text for e in sink.events if e.kind is EventKind.FAILED]
    return text


@pytest.mark.parametrize(
    ("code", "reason_key"),
    [
        ("INTERNAL", "reason_vendor_internal"),
        ("INPUT_PREPROCESSING.INTERNAL", "reason_vendor_internal"),
        ("THIRD_PARTY.UNAVAILABLE", "reason_vendor_internal"),
        ("RENDER", "reason_vendor_internal"),  # a code nobody documented
        ("ASSET.INVALID", "reason_input"),
        ("INTERNAL.BAD_OUTPUT.CODE01", "reason_bad_output"),
    ],
)
async def test_a_vendor_failure_reaches_the_user_as_a_catalogue_reason(
    tmp_path: Path, code: str, reason_key: str
) -> None:
    async with RunwayEmulator("test-key", run_seconds=0.1, fail_code=code) as emu:
        core = await _core(tmp_path, emu)
        try:
            sink = await start(core)
            job_id = await video(core, "/video a fox [fail]")
            assert await finished(core, job_id) is JobState.FAILED
            notice = _notice(sink)
            assert CATALOG[reason_key]["en"] in notice
            assert code not in notice and "unexpected error" not in notice
            job = await core.store.get_job(job_id)
            assert job is not None and job.error_code == "vendor_failed"
            assert code in (job.error_text or "") and "unexpected error" in (job.error_text or "")
            assert await used(core) == 0
        finally:
            await core.aclose()


async def test_an_output_refused_by_moderation_says_so(tmp_path: Path) -> None:
    async with RunwayEmulator("test-key", run_seconds=0.1, fail_code="SAFETY.OUTPUT.VIDEO") as emu:
        core = await _core(tmp_path, emu)
        try:
            sink = await start(core)
            job_id = await video(core, "/video a fox [fail]")
            assert await finished(core, job_id) is JobState.FAILED
            assert _notice(sink).startswith(CATALOG["failed_moderated"]["en"][:20])
        finally:
            await core.aclose()


async def test_a_refused_create_does_not_quote_the_vendor(tmp_path: Path) -> None:
    async with RunwayEmulator("test-key", run_seconds=0.1) as emu:
        core = await _core(tmp_path, emu)
        try:
            sink = await start(core)
            vendor_text = "Invalid option: expected one of '1280:720' (internal ref 7f3a)"
            emu.fail_next("create", Fault(400, {"error": vendor_text}))
            job_id = await video(core, "/video a fox")
            assert await finished(core, job_id) is JobState.FAILED
            notice = _notice(sink)
            assert CATALOG["reason_request"]["en"] in notice and "7f3a" not in notice
            job = await core.store.get_job(job_id)
            assert job is not None and "7f3a" in (job.error_text or "")
        finally:
            await core.aclose()


async def test_the_reason_speaks_the_users_language(tmp_path: Path) -> None:
    async with RunwayEmulator("test-key", run_seconds=0.1, fail_code="INTERNAL") as emu:
        core = await _core(tmp_path, emu)
        try:
            sink = await start(core)
            job_id = await video(core, "/video 一只狐狸 [fail]", locale="zh-hans")
            assert await finished(core, job_id) is JobState.FAILED
            assert CATALOG["reason_vendor_internal"]["zh"] in _notice(sink)
        finally:
            await core.aclose()
