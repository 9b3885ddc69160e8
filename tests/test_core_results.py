"""The result path of the engine over real HTTP: a slow or fake result never holds the
vendor's call slots, never outlives the job's deadline and is never charged; result URLs
never reach this machine's or a private network's addresses; a local write failure is
retried, then refunded with an honest reason."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

import bot.jobs.kernel
from bot.bootstrap import Core
from bot.events import DeliveryError, EventKind
from bot.models import Job, JobState
from tests.emulators.base import EmuTask, sample_mp4
from tests.emulators.runway import RunwayEmulator
from tests.helpers import RecordingSink, wait_until
from tests.test_core_download import Listener
from tests.test_core_engine import _core, finished, start, used, video


class ResultEmulator(RunwayEmulator):
    """Runway whose result is steered by the prompt: `[drip]` sends a real mp4 a few bytes
    at a time, `[html]` serves a web page; `result_url` overrides the URL outright."""

    result_url: str | None = None

    def routes(self) -> list[web.RouteDef]:
        return [
            *super().routes(),
            web.get("/drip/{name}", self._drip),
            web.get("/page/{name}", self._page),
        ]

    def video_url(self, task: EmuTask) -> str:
        if self.result_url:
            return self.result_url
        if "[drip]" in task.prompt:
            return f"{self.base_url}/drip/{task.id}.mp4"
        if "[html]" in task.prompt:
            return f"{self.base_url}/page/{task.id}.mp4"
        return super().video_url(task)

    async def _drip(self, request: web.Request) -> web.StreamResponse:
        data = sample_mp4()
        response = web.StreamResponse(headers={"Content-Length": str(len(data))})
        await response.prepare(request)
        for start_at in range(0, len(data), 4):
            await response.write(data[start_at : start_at + 4])
            await asyncio.sleep(0.1)
        return response

    async def _page(self, _request: web.Request) -> web.Response:
        return web.Response(text="<html><body>Access denied</body></html>\n")


@pytest.fixture
async def emu() -> AsyncIterator[ResultEmulator]:
    async with ResultEmulator("test-key", run_seconds=0.1) as server:
        yield server  # type: ignore[misc]


async def _job(core: Core, job_id: str) -> Job:
    job = await core.store.get_job(job_id)
    assert job is not None
    return job


async def test_a_dripping_result_ends_at_the_deadline_refunded(
    tmp_path: Path, emu: ResultEmulator
) -> None:
    core = await _core(tmp_path, emu, video_job_timeout=1.5)
    try:
        sink = await start(core)
        job_id = await video(core, "/video a slow river [drip]")
        assert await finished(core, job_id) is JobState.FAILED
        job = await _job(core, job_id)
        assert job.error_code == "timeout" and sink.delivered == []
        assert await used(core) == 0
        assert [e.kind for e in await core.store.ledger()] == ["reserve", "refund"]
    finally:
        await core.aclose()


async def test_a_dripping_result_leaves_the_vendor_slots_to_other_jobs(
    tmp_path: Path, emu: ResultEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.jobs.kernel, "MAX_VENDOR_CALLS", 1)  # one call slot at the vendor
    core = await _core(tmp_path, emu)
    try:
        sink = await start(core)
        slow = await video(core, "/video a slow river [drip]")
        await wait_until(lambda: emu.count("GET", "/drip/") == 1)
        quick = await video(core, "/video a quick fox")
        assert await finished(core, quick) is JobState.DELIVERED
        assert not (await _job(core, slow)).state.terminal  # still dripping meanwhile
        assert [job.id for job, _path, _caption in sink.delivered] == [quick]
    finally:
        await core.aclose()


async def test_a_download_has_its_own_total_time_limit(tmp_path: Path, emu: ResultEmulator) -> None:
    core = await _core(tmp_path, emu, video_download_timeout=0.3)
    try:
        await start(core)
        await video(core, "/video a slow river [drip]")
        await wait_until(lambda: emu.count("GET", "/drip/") >= 2, timeout=6.0)
    finally:
        await core.aclose()


class LateSink(RecordingSink):
    """The chat platform is busy past the job's deadline on the first hand-over."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    async def deliver(self, job: Job, video: Path, caption: str) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
            self.delay = 0
            raise DeliveryError("busy", retry_after=0.01)
        await super().deliver(job, video, caption)


async def test_a_job_past_its_deadline_is_not_charged(tmp_path: Path, emu: ResultEmulator) -> None:
    core = await _core(tmp_path, emu, video_job_timeout=1.0)
    try:
        sink = LateSink(delay=1.2)
        core.engine.subscribe("test", sink)
        await core.start()
        job_id = await video(core, "/video a fox")
        assert await finished(core, job_id) is JobState.FAILED
        assert (await _job(core, job_id)).error_code == "timeout"
        assert sink.delivered == [] and await used(core) == 0
    finally:
        await core.aclose()


async def test_a_web_page_is_not_delivered_as_a_video(tmp_path: Path, emu: ResultEmulator) -> None:
    core = await _core(tmp_path, emu)
    try:
        sink = await start(core)
        job_id = await video(core, "/video a fox [html]")
        assert await finished(core, job_id) is JobState.FAILED
        assert sink.delivered == [] and await used(core) == 0
        job = await _job(core, job_id)
        assert job.error_code == "not_video"
        (notice,) = [e.text for e in sink.events if e.kind is EventKind.FAILED]
        assert "not a video" in notice
        assert list((tmp_path / "videos").glob("*")) == []
    finally:
        await core.aclose()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_a_result_url_on_this_machine_is_never_fetched(
    tmp_path: Path, emu: ResultEmulator, host: str
) -> None:
    async with Listener() as inside:
        emu.result_url = f"https://{host}:{inside.port}/video.mp4"
        core = await _core(tmp_path, emu)
        try:
            sink = await start(core)
            job_id = await video(core, "/video a fox")
            assert await finished(core, job_id) is JobState.FAILED
            assert inside.connections == 0
            assert sink.delivered == [] and await used(core) == 0
            assert (await _job(core, job_id)).error_code == "bad_result"
        finally:
            await core.aclose()


def _block_videos_dir(tmp_path: Path) -> Path:
    """A file where the videos folder should be: every write of a download fails with a
    real OSError, as on a full or broken disk."""
    blocker = tmp_path / "videos"
    blocker.write_bytes(b"")
    return blocker


async def test_a_local_write_failure_is_retried(tmp_path: Path, emu: ResultEmulator) -> None:
    blocker = _block_videos_dir(tmp_path)
    core = await _core(tmp_path, emu)
    try:
        sink = await start(core)
        job_id = await video(core, "/video a fox")
        await wait_until(lambda: emu.count("GET", "/files/") >= 1)
        blocker.unlink()  # the operator freed the disk
        assert await finished(core, job_id) is JobState.DELIVERED
        assert len(sink.delivered) == 1 and await used(core) == 1
        assert emu.count("POST", "/v1/") == 1
    finally:
        await core.aclose()


async def test_a_lasting_write_failure_is_refunded_honestly(
    tmp_path: Path, emu: ResultEmulator
) -> None:
    _block_videos_dir(tmp_path)
    core = await _core(tmp_path, emu, video_job_timeout=3)
    try:
        sink = await start(core)
        job_id = await video(core, "/video a fox")
        assert await finished(core, job_id) is JobState.FAILED
        assert emu.count("GET", "/files/") >= 2 and await used(core) == 0
        assert (await _job(core, job_id)).error_code == "storage"
        (notice,) = [e.text for e in sink.events if e.kind is EventKind.FAILED]
        assert "could not store" in notice and "internal" not in notice
    finally:
        await core.aclose()
