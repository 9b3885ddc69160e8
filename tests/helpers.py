"""Shared test helpers: a real core on a real SQLite file, and small real media."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from PIL import Image

from bot.bootstrap import Core, build_core
from bot.config import Settings
from bot.events import EventKind, JobEvent
from bot.models import Job, JobState
from bot.vendors.base import VendorClient


def settings_for(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings that ignore the developer's environment and .env."""
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp_path / 'videobot.db'}",
        "video_poll_interval": 0.05,
        "video_job_timeout": 30,
        # Every model at 1 credit per 5 s, so money tests count in round numbers whatever
        # model a vendor defaults to; test_costs checks the real default prices.
        "quota_costs": {"*:per_second": 0.2},
    }
    values.update(overrides)
    if not str(values["database_url"]).startswith("sqlite:"):
        values.setdefault("data_dir", tmp_path)  # renders stay in the test's folder
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def make_core(
    tmp_path: Path, vendors: list[VendorClient] | None = None, **overrides: Any
) -> Core:
    return await build_core(settings_for(tmp_path, **overrides), vendors=vendors)


def spy_on_decoding(monkeypatch: Any) -> list[object]:
    """Every image Pillow decodes from now on (`ImageFile.load` is where pixels decode)."""
    from PIL import ImageFile

    seen: list[object] = []
    real = ImageFile.ImageFile.load

    def load(self: ImageFile.ImageFile) -> object:
        seen.append(self)
        return real(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return seen


def image_bytes(size: tuple[int, int] = (64, 48), fmt: str = "JPEG", color: str = "teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


class RecordingSink:
    """A JobSink that records events and deliveries, for core tests."""

    keep_files = True
    acks_notices = False

    def __init__(self, fail_deliveries: int = 0) -> None:
        self.events: list[JobEvent] = []
        self.delivered: list[tuple[Job, Path, str]] = []
        self.fail_deliveries = fail_deliveries
        self.changed = asyncio.Event()

    async def on_event(self, event: JobEvent) -> None:
        self.events.append(event)
        self.changed.set()

    async def deliver(self, job: Job, video: Path, caption: str) -> None:
        from bot.events import DeliveryError

        if self.fail_deliveries:
            self.fail_deliveries -= 1
            raise DeliveryError("simulated", retry_after=0.01)
        self.delivered.append((job, video, caption))

    def kinds(self, job_id: str | None = None) -> list[EventKind]:
        return [e.kind for e in self.events if job_id is None or e.job.id == job_id]


async def wait_until(
    check: Callable[[], bool | Awaitable[bool]], timeout: float = 10.0, step: float = 0.02
) -> None:
    """Poll `check` until true; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(step)


async def finished(core: Core, job_id: str, timeout: float = 10.0) -> JobState:
    """The state a job ends in, once it has ended."""

    async def done() -> bool:
        job = await core.store.get_job(job_id)
        return job is not None and job.state.terminal

    await wait_until(done, timeout)
    job = await core.store.get_job(job_id)
    assert job is not None
    return job.state


async def runway_core(tmp_path: Path, base_url: str, **overrides: Any) -> Core:
    """A core whose one vendor is the official Runway client, pointed at `base_url`."""
    from bot.vendors.runway import RunwayClient

    client = RunwayClient(api_key="test-key", base_url=base_url)
    return await make_core(tmp_path, vendors=[client], video_vendors=["runway"], **overrides)


def noise_mp4(path: Path, size: str = "320x224", seconds: float = 5, rate: int = 25) -> bytes:
    """A real H.264 mp4 of random pixels, losslessly coded so it stays large (320x224 for
    5 s at 25 fps: about 14 MB), for tests of videos over an upload limit."""
    import subprocess

    import imageio_ffmpeg

    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "lavfi",
            "-i", f"nullsrc=s={size}:d={seconds}:r={rate},geq=random(1)*255:128:128",
            "-c:v", "libx264", "-qp", "0", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            str(path),
        ],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


def frames_and_seconds(data: bytes, folder: Path) -> tuple[int, float]:
    """Decode a whole video with ffmpeg: (frames, seconds); raises if it cannot be read."""
    import imageio_ffmpeg

    path = folder / f"decoded-{len(data)}.mp4"
    path.write_bytes(data)
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    return int(frames), float(seconds)
