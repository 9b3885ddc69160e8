"""A Runway-family vendor emulator in its own process, for the capacity benchmark.

It is the test suite's `RunwayEmulator` (same routes, validation and task JSON) with what a
benchmark needs on top: each task runs for a random 20-60 s, callbacks (openai-hk's
`notify_hook`) are posted at the exact moment a task finishes from one shared session
rather than by a polling loop per task, the per-request log is off (it would grow without
bound), and `GET /_bench/tasks` reports every task's `done_at` and poll count so the
benchmark can measure lag from the moment the vendor marked a task done.

    .venv/bin/python -m bench.vendor_server --flavour runway --min 20 --max 60
    # prints "READY http://127.0.0.1:PORT", serves until SIGTERM/SIGINT
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import signal
import tempfile
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from tests.emulators.base import EmuTask, sample_mp4
from tests.emulators.runway import RunwayEmulator


class BenchEmulator(RunwayEmulator):
    def __init__(
        self,
        *,
        min_seconds: float,
        max_seconds: float,
        seed: int,
        video: Path | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(**kw)
        self.video = video  # served for every result instead of the 8 KB sample
        self.uploaded: list[int] = []  # sizes of the uploads received at /_bench/upload
        self.rng = random.Random(seed)
        self.min_seconds, self.max_seconds = min_seconds, max_seconds
        self.session: aiohttp.ClientSession | None = None
        self.notified: dict[str, float] = {}  # task id -> when its callback was answered
        self.creates = 0

    def new_task(self, body: dict[str, Any], prompt: str, task_id: str | None = None) -> EmuTask:
        self.creates += 1
        task = super().new_task(body, prompt, task_id)
        task.run_seconds = self.rng.uniform(self.min_seconds, self.max_seconds)
        return task

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        return await handler(request)  # type: ignore[no-any-return]

    def routes(self) -> list[web.RouteDef]:
        return [
            *super().routes(),
            web.get("/_bench/tasks", self._tasks),
            web.post("/_bench/upload", self._upload),
            web.get("/_bench/uploads", self._uploads),
        ]

    async def _file(self, request: web.Request) -> web.StreamResponse:
        if self.video is None:
            return await super()._file(request)
        return web.FileResponse(self.video, headers={"Content-Type": "video/mp4"})

    async def _upload(self, request: web.Request) -> web.Response:
        """A stand-in for a chat platform's upload endpoint: reads and counts, keeps nothing."""
        size = 0
        while chunk := await request.content.read(1 << 16):
            size += len(chunk)
        self.uploaded.append(size)
        return web.json_response({"ok": True, "size": size})

    async def _uploads(self, request: web.Request) -> web.Response:
        return web.json_response(self.uploaded)

    async def _tasks(self, request: web.Request) -> web.Response:
        now = self.clock()
        for task in self.tasks.values():
            task.phase(now)  # fills done_at for tasks nobody polled since they finished
        return web.json_response(
            {
                "creates": self.creates,
                "tasks": {
                    t.id: {"done_at": t.done_at, "polls": t.polls, "created": t.created}
                    for t in self.tasks.values()
                },
            }
        )

    async def _notify(self, task: EmuTask, url: str) -> None:
        """Sleep until the task is done, then post its JSON once (no loop per task)."""
        done = task.created + task.queue_seconds + task.run_seconds
        await asyncio.sleep(max(0.0, done - self.clock()) + 0.001)
        if task.phase(self.clock())[0] not in ("succeeded", "failed", "cancelled"):
            return  # "[never]" tasks: no callback
        body = self.render(task)
        if self.session is None:
            self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            async with self.session.post(url, json=body) as response:
                await response.read()
                self.notified[task.id] = self.clock()

    async def stop(self) -> None:
        if self.session is not None:
            await self.session.close()
        await super().stop()


def make_video(megabytes: float, folder: Path) -> Path:
    """A file of the given size that starts like an mp4 (the sample's header, then noise)."""
    path = folder / "big.mp4"
    head = sample_mp4()
    with path.open("wb") as f:
        f.write(head)
        left = int(megabytes * 1_000_000) - len(head)
        while left > 0:
            f.write(os.urandom(min(left, 1 << 20)))
            left -= 1 << 20
    return path


async def serve(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-vendor-"))
    video = make_video(args.video_mb, folder) if args.video_mb else None
    emu = BenchEmulator(
        api_key="bench-key",
        flavour=args.flavour,
        min_seconds=args.min,
        max_seconds=args.max,
        seed=args.seed,
        video=video,
    )
    await emu.start(args.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"READY {emu.base_url}", flush=True)
    await stop.wait()
    await emu.stop()
    shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="vendor emulator for benchmarks")
    parser.add_argument("--flavour", default="runway", choices=["runway", "openai-hk", "gptge"])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--min", type=float, default=20.0)
    parser.add_argument("--max", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--video-mb", type=float, default=0.0, help="size of every result")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
