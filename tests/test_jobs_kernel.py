"""The job engine's shared kernel and its small units, apart from a running bot."""

from __future__ import annotations

import asyncio
import dataclasses
import enum
from pathlib import Path

import pytest

from bot.jobs import CancelResult, JobEngine
from bot.jobs import kernel as kernel_module
from bot.jobs.deliver import caption_for
from bot.jobs.kernel import Kernel
from bot.models import Job, JobRequest, JobState, Mode, UserRef
from tests.helpers import make_core, settings_for


def test_cancel_result_is_an_enum() -> None:
    assert issubclass(CancelResult, enum.Enum)
    assert {r.value for r in CancelResult} == {"ok", "too_late", "unknown"}


async def test_launch_drives_a_job_once_and_forgets_it(tmp_path: Path) -> None:
    core = await make_core(tmp_path)
    runs: list[str] = []
    release = asyncio.Event()

    class Driven(Kernel):
        async def drive(self, job_id: str) -> None:
            runs.append(job_id)
            await release.wait()

    try:
        k = Driven(settings_for(tmp_path), core.store, {})
        k.launch("job-1")
        k.launch("job-1")  # already driven here: not a second task
        await asyncio.sleep(0)
        assert runs == ["job-1"] and set(k.tasks) == {"job-1"}
        release.set()
        await asyncio.gather(*k.tasks.values())
        await asyncio.sleep(0)
        assert k.tasks == {}
    finally:
        await core.aclose()


async def test_vendor_slots_and_backoff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    core = await make_core(tmp_path, callback_base_url="https://bot.example/")
    try:
        engine = core.engine
        assert isinstance(engine, JobEngine) and isinstance(engine, Kernel)
        monkeypatch.setattr(kernel_module, "MAX_VENDOR_CALLS", 2)
        slot = engine.slot("runway")
        assert slot is engine.slot("runway") and slot is not engine.slot("other")
        async with slot, slot:
            assert slot.locked()  # the third call waits for a slot
        assert engine.callback_url("runway") == "https://bot.example/callbacks/runway"
        for attempt in range(1, 10):
            wait = engine.backoff(attempt, 2.0)
            assert 0.75 * min(60.0, 2.0 * 2 ** (attempt - 1)) <= wait <= 60.0
    finally:
        await core.aclose()


def test_caption_names_model_duration_and_seed() -> None:
    job = Job(
        id="j1",
        user=UserRef("test", "1"),
        state=JobState.DELIVERING,
        request=JobRequest("a cat", Mode.TEXT, model="gen4_turbo", duration=5, seed=None),
        cost=1,
    )
    caption = caption_for(job)
    assert "a cat" in caption and "gen4_turbo" in caption and "random" in caption
    job.request = dataclasses.replace(job.request, model_shown="Gen-4 Turbo", seed=42)
    caption = caption_for(job)
    assert "Gen-4 Turbo" in caption and "42" in caption
