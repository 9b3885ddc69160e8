"""Delivery memory: how much the bot's RSS grows while it delivers one 50 MB video.

The vendor emulator runs in its own process and serves a 50 MB result. The bot process
runs the real engine: it polls the task, streams the result to disk (`bot.media.download`)
and hands the path to the sink, which uploads it from disk as a streamed multipart body to
an upload endpoint in the emulator process, the way an adapter must. RSS is measured in
the bot process: the current RSS just before the job, and the kernel's high-water mark
(VmHWM, reset through /proc/self/clear_refs) across the whole job. A small job runs first so
that imports and connection pools are warm and not counted.

    .venv/bin/python -m bench.delivery_memory [--video-mb 50] [--adapter stream|telegram]

`--adapter telegram` delivers through the real Telegram adapter (python-telegram-bot's
sendVideo) to the Bot API emulator, which then runs in a third process so that the bytes it
receives are not counted against the bot.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import httpx

from adapters.runtime import run_loop
from bench.common import ROOT, mb, peak_rss_bytes, report, reset_peak_rss, rss_bytes
from bot.bootstrap import build_core
from bot.chat import ChatAddress, StoredChat
from bot.commands import read
from bot.config import Settings
from bot.events import JobEvent
from bot.models import Job, UserRef
from bot.service import Incoming
from bot.vendors.runway import RunwayClient
from tests.botapi_emulator import TOKEN

TARGET_MB = 16


class StreamingUploadSink:
    """Uploads the delivered file from disk in 64 KB pieces (httpx streams file objects)."""

    keep_files = False

    def __init__(self, upload_url: str) -> None:
        self.upload_url = upload_url
        self.http = httpx.AsyncClient(timeout=120)
        self.delivered: list[tuple[str, int]] = []

    async def on_event(self, event: JobEvent) -> None:
        return None

    async def deliver(self, job: Job, video: Path, caption: str) -> None:
        with video.open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            response = await self.http.post(
                self.upload_url,
                files={"video": (f"{job.short_id}.mp4", f, "video/mp4")},
                data={"caption": caption},
            )
        response.raise_for_status()
        self.delivered.append((job.id, size))


async def deliver_one(core: Any, user: UserRef, text: str, chat: ChatAddress) -> float:
    started = time.monotonic()
    reply = await core.service.handle(Incoming(user=user, command=read(text), chat=chat))
    assert reply.job is not None, reply.text
    job_id = reply.job.id
    while True:
        job = await core.store.get_job(job_id)
        if job is not None and job.state.terminal:
            assert job.state.value == "delivered", (job.state, job.error_code)
            return time.monotonic() - started
        await asyncio.sleep(0.05)


async def run(
    vendor_url: str, work: Path, botapi_url: str | None, video_mb: float
) -> dict[str, Any]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite:///{work / 'bench.db'}",
        video_vendors=["runway"],
        video_poll_interval=0.2,
        quota_credits_per_day=1000,
        telegram_bot_token=TOKEN if botapi_url else None,
        telegram_api_url=botapi_url or "https://api.telegram.org",
    )
    core = await build_core(
        settings, vendors=[RunwayClient(api_key="bench-key", base_url=vendor_url)]
    )
    adapter: Any = None
    if botapi_url:
        from adapters.telegram import TelegramAdapter, TelegramSettings

        adapter = TelegramAdapter(core, TelegramSettings(_env_file=None), poll_timeout=1)
        await adapter.start()
        from adapters.telegram.chat import TelegramChat

        user, chat = UserRef("telegram", "1001"), TelegramChat(chat_id=1001, chat_type="private")
    else:
        sink = StreamingUploadSink(f"{vendor_url}/_bench/upload")
        core.engine.subscribe("bench", sink)
        user, chat = UserRef("bench", "1"), StoredChat()
    await core.start()
    await deliver_one(core, user, "/video warm-up", chat)  # imports, pools, SQLite pages
    before = rss_bytes()
    resettable = reset_peak_rss()
    seconds = await deliver_one(core, user, "/video the big one", chat)
    peak = peak_rss_bytes()
    if adapter is not None:
        await adapter.stop()
    else:
        await sink.http.aclose()
    await core.aclose()
    return {
        "adapter": "telegram (PTB sendVideo)" if botapi_url else "streaming sink",
        "video_bytes": int(video_mb * 1_000_000),
        "rss_before_mb": mb(before),
        "peak_rss_mb": mb(peak),
        "growth_mb": mb(peak - before),
        "target_mb": TARGET_MB,
        "seconds": round(seconds, 2),
        "peak_is_since_reset": resettable,
    }


def ready(proc: subprocess.Popen[str], what: str) -> str:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("READY "):
        raise SystemExit(f"{what} did not start: {line!r}")
    return line.split()[1]


async def serve_botapi() -> None:
    """The Bot API emulator in its own process, with the sizes of the videos it received."""
    from aiohttp import web

    from tests.botapi_emulator import BotAPIEmulator

    tg = await BotAPIEmulator().start()
    runner = web.AppRunner(web.Application())
    app = runner.app
    app.router.add_get(
        "/_bench/uploads",
        lambda request: web.json_response(
            [len(c.files["video"].data) for c in tg.calls_of("sendVideo") if "video" in c.files]
        ),
    )
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"READY {tg.root_url}", flush=True)
    print(f"UPLOADS http://127.0.0.1:{port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()
    await tg.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--video-mb", type=float, default=50.0)
    parser.add_argument("--adapter", choices=["stream", "telegram"], default="stream")
    parser.add_argument("--role", choices=["botapi"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role == "botapi":
        asyncio.run(serve_botapi())
        return
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    emu = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.vendor_server",
            "--min",
            "0.3",
            "--max",
            "0.5",
            "--video-mb",
            str(args.video_mb),
        ],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
    )
    helpers = [emu]
    try:
        url = ready(emu, "vendor emulator")
        botapi = None
        uploads_url = ""
        if args.adapter == "telegram":
            tg = subprocess.Popen(
                [sys.executable, "-m", "bench.delivery_memory", "--role", "botapi"],
                cwd=ROOT,
                env=env,
                text=True,
                stdout=subprocess.PIPE,
            )
            helpers.append(tg)
            botapi = ready(tg, "Bot API emulator")
            assert tg.stdout is not None
            uploads_url = tg.stdout.readline().split()[1]
        with tempfile.TemporaryDirectory(prefix="bench-delivery-") as tmp:
            row = run_loop(run(url, Path(tmp), botapi, args.video_mb))
        base = uploads_url if botapi else url
        with urllib.request.urlopen(f"{base}/_bench/uploads", timeout=10) as answer:
            uploads = json.load(answer)
    finally:
        for proc in helpers:
            proc.terminate()
            proc.wait(30)
    row["uploaded_bytes"] = max(uploads) if uploads else 0
    report("delivery memory", [row])
    ok = row["growth_mb"] <= TARGET_MB and row["uploaded_bytes"] >= row["video_bytes"]
    print(f"\nRSS growth <= {TARGET_MB} MB while delivering: {'met' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
