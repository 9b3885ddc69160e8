"""Capacity: one bot process tracking N in-flight jobs against a vendor in another process.

For each N the benchmark starts a fresh vendor emulator process (`bench.vendor_server`:
tasks finish after a random 20-60 s) and then one bot process that sends N image-to-video
commands through the core (`VideoService.handle`) and waits until every video has been
handed to its sink. It reports the bot process's peak RSS (VmHWM), its average CPU (process
user+system time over wall time), polls per job (counted by the emulator) and the lag from
the moment the emulator marks a task done (`EmuTask.done_at`) to the moment the engine hands
the video to the sink (`deliver`), both on CLOCK_MONOTONIC, which all processes share.

Three clients run the same workload in the same invocation, one after another:
  videobot/poll      the engine polling every --interval seconds (VIDEO_POLL_INTERVAL)
  videobot/callback  openai-hk flavour: notify_hook posts to adapters.callbacks, which wakes
                     the poller; polling stays as the fallback every --callback-interval s
  baseline           the vendors' sample style: one thread per job, a shared blocking
                     httpx.Client, create, then `sleep(10); GET task` until it is terminal

    .venv/bin/python -m bench.capacity                     # N = 1,000, 5,000, 10,000
    .venv/bin/python -m bench.capacity --jobs 1000 --clients poll,baseline
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from adapters.runtime import run_loop
from bench.common import ROOT, CpuMeter, mb, peak_rss_bytes, report, summary

BASELINE_INTERVAL = 10.0
TIMEOUT_MARGIN = 240.0  # seconds past the longest task before a run is declared stuck


# the bot process (videobot/poll and videobot/callback)


async def bot_role(args: argparse.Namespace) -> dict[str, Any]:
    from adapters.callbacks import CallbackServer
    from bot.bootstrap import build_core
    from bot.commands import read
    from bot.config import Settings
    from bot.events import EventKind, JobEvent
    from bot.models import Job, Media, UserRef
    from bot.service import Incoming
    from bot.vendors.runway import OpenAIHKClient, RunwayClient
    from tests.helpers import image_bytes

    work = Path(args.workdir)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite:///{work / 'bench.db'}",
        video_vendors=[args.flavour],
        video_poll_interval=args.interval,
        video_job_timeout=900,
        quota_credits_per_day=10**9,
        max_jobs_per_user=10**9,
        # Every job goes through the bot's queue; the emulator runs any number of tasks at
        # once, so the vendor's capacity is set to match rather than the default of 10.
        runway_max_concurrent=args.jobs,
        openai_hk_max_concurrent=args.jobs,
    )
    cls = OpenAIHKClient if args.flavour == "openai-hk" else RunwayClient
    vendor = cls(api_key="bench-key", base_url=args.vendor_url)
    core = await build_core(settings, vendors=[vendor])
    delivered: dict[str, float] = {}
    failed: list[str] = []
    done = asyncio.Event()

    class TimingSink:
        keep_files = False

        async def on_event(self, event: JobEvent) -> None:
            return None

        async def deliver(self, job: Job, video: Path, caption: str) -> None:
            delivered[job.vendor_task_id or job.id] = time.monotonic()
            if len(delivered) + len(failed) >= args.jobs:
                done.set()

    def observe(event: JobEvent) -> None:
        if event.kind is EventKind.FAILED:
            failed.append(f"{event.job.error_code}: {event.text[:80]}")
            if len(delivered) + len(failed) >= args.jobs:
                done.set()

    core.engine.subscribe("bench", TimingSink())
    core.engine.observe(observe)
    callbacks = None
    if args.callback:
        callbacks = CallbackServer(core.engine, "127.0.0.1:0")
        await callbacks.start()
        settings.callback_base_url = f"http://127.0.0.1:{callbacks.port}"
    await core.start()

    photo = Media(image_bytes((64, 48)), "image/jpeg", "p.jpg")
    commands = iter(range(args.jobs))
    refused: list[str] = []

    async def sender() -> None:
        for i in commands:
            msg = Incoming(
                user=UserRef("bench", str(i % 1000)),
                command=read(f"/video job {i}"),
                images=[photo],
            )
            reply = await core.service.handle(msg)
            if reply.job is None:
                refused.append(reply.text)

    whole = CpuMeter().start()
    started = time.monotonic()
    await asyncio.gather(*(sender() for _ in range(args.senders)))
    submitted = time.monotonic()
    tracking = CpuMeter().start()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done.wait(), args.max + TIMEOUT_MARGIN)
    finished = time.monotonic()
    track_cores, whole_cores = tracking.stop(), whole.stop()
    result = {
        "delivered": delivered,
        "failed": failed[:20],
        "failed_count": len(failed),
        "refused": refused[:5],
        "submit_seconds": submitted - started,
        "wall_seconds": finished - started,
        "cpu_cores_tracking": track_cores,
        "cpu_cores_whole": whole_cores,
        "cpu_seconds": whole_cores * whole.seconds,
        "peak_rss_bytes": peak_rss_bytes(),
        "callbacks": callbacks.received if callbacks else 0,
        "callbacks_woke": callbacks.woken if callbacks else 0,
    }
    if callbacks is not None:
        await callbacks.stop()
    await core.aclose()
    return result


# the baseline process: the vendors' own sample, one blocking loop per job in threads


def baseline_role(args: argparse.Namespace) -> dict[str, Any]:
    import httpx

    from tests.helpers import image_bytes

    image = "data:image/jpeg;base64," + base64.b64encode(image_bytes((64, 48))).decode()
    client = httpx.Client(
        base_url=args.vendor_url,
        headers={"Authorization": "Bearer bench-key", "X-Runway-Version": "2024-11-06"},
        timeout=httpx.Timeout(60.0),
        # the pool the vendors' generated Python SDKs configure by default
        limits=httpx.Limits(max_connections=1000, max_keepalive_connections=100),
    )
    out_dir = Path(args.workdir) / "videos"
    out_dir.mkdir(parents=True, exist_ok=True)
    delivered: dict[str, float] = {}
    failed: list[str] = []
    errors = [0]
    lock = threading.Lock()

    def one(i: int) -> None:
        body = {
            "model": "gen4_turbo",
            "promptImage": image,
            "promptText": f"job {i}",
            "ratio": "1280:720",
            "duration": 5,
        }
        while True:
            try:
                response = client.post("/v1/image_to_video", json=body)
                response.raise_for_status()
                task_id = response.json()["id"]
                break
            except httpx.HTTPError:
                with lock:
                    errors[0] += 1
                time.sleep(BASELINE_INTERVAL)
        time.sleep(BASELINE_INTERVAL)
        while True:
            try:
                task = client.get(f"/v1/tasks/{task_id}").json()
            except httpx.HTTPError:
                with lock:
                    errors[0] += 1
                task = {"status": "RUNNING"}
            if task["status"] in ("SUCCEEDED", "FAILED"):
                break
            time.sleep(BASELINE_INTERVAL)
        if task["status"] != "SUCCEEDED":
            with lock:
                failed.append(task_id)
            return
        path = out_dir / f"{task_id}.mp4"
        with client.stream("GET", task["output"][0]) as response, path.open("wb") as f:
            for chunk in response.iter_bytes():
                f.write(chunk)
        with lock:
            delivered[task_id] = time.monotonic()  # handed to the "adapter"
        path.unlink()

    whole = CpuMeter().start()
    started = time.monotonic()
    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(args.jobs)]
    for thread in threads:
        thread.start()
    submitted = time.monotonic()
    deadline = started + args.max + TIMEOUT_MARGIN
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    finished = time.monotonic()
    cores = whole.stop()
    return {
        "delivered": dict(delivered),
        "failed": failed[:20],
        "failed_count": len(failed),
        "errors": errors[0],
        "submit_seconds": submitted - started,
        "wall_seconds": finished - started,
        "cpu_cores_tracking": cores,
        "cpu_cores_whole": cores,
        "cpu_seconds": cores * whole.seconds,
        "peak_rss_bytes": peak_rss_bytes(),
    }


# the orchestrator


CLIENTS = {
    "poll": ("videobot/poll", "runway"),
    "callback": ("videobot/callback", "openai-hk"),
    "baseline": ("baseline", "runway"),
}


LOGS = Path(tempfile.gettempdir()) / "videobot-bench-logs"


def _spawn(argv: list[str], name: str) -> subprocess.Popen[str]:
    """Start a helper process; its stderr (logs) goes to a file, never to an undrained pipe."""
    LOGS.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with (LOGS / f"{name}.log").open("w") as err:
        return subprocess.Popen(
            [sys.executable, *argv],
            cwd=ROOT,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=err,
        )


def _line(proc: subprocess.Popen[str], prefix: str, name: str) -> str:
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(prefix):
            return line[len(prefix) :].strip()
    tail = (LOGS / f"{name}.log").read_text()[-2000:]
    raise RuntimeError(f"{name} ended without {prefix!r}; its log ends with:\n{tail}")


def run_case(client: str, jobs: int, args: argparse.Namespace) -> dict[str, Any]:
    label, flavour = CLIENTS[client]
    interval = {"poll": args.interval, "callback": args.callback_interval}.get(
        client, BASELINE_INTERVAL
    )
    name = f"{client}-{jobs}"
    emu_argv = ["-m", "bench.vendor_server", "--flavour", flavour, "--seed", str(args.seed)]
    emu = _spawn([*emu_argv, "--min", str(args.min), "--max", str(args.max)], f"{name}-vendor")
    try:
        url = _line(emu, "READY ", f"{name}-vendor")
        emu_cpu = CpuMeter(emu.pid).start()
        with tempfile.TemporaryDirectory(prefix="bench-cap-") as work:
            role = "baseline" if client == "baseline" else "bot"
            argv = ["-m", "bench.capacity", "--role", role, "--jobs", str(jobs)]
            argv += ["--vendor-url", url, "--workdir", work, "--flavour", flavour]
            argv += ["--interval", str(interval), "--max", str(args.max)]
            argv += ["--senders", str(args.senders)]
            if client == "callback":
                argv.append("--callback")
            bot = _spawn(argv, name)
            result = json.loads(_line(bot, "RESULT ", name))
            bot.wait(60)
        emu_cores = emu_cpu.stop()
        with urllib.request.urlopen(f"{url}/_bench/tasks", timeout=60) as answer:
            vendor = json.load(answer)
    finally:
        emu.terminate()
        emu.wait(30)
    tasks = vendor["tasks"]
    lags = [
        at - tasks[tid]["done_at"]
        for tid, at in result["delivered"].items()
        if tid in tasks and tasks[tid]["done_at"] is not None
    ]
    lag = summary(lags)
    polls = sum(t["polls"] for t in tasks.values())
    # Jobs in flight at once, from the vendor's side: tasks created and not yet delivered.
    edges = sorted(
        [(t["created"], 1) for t in tasks.values()]
        + [
            (result["delivered"].get(tid, t["done_at"] or t["created"]), -1)
            for tid, t in tasks.items()
        ]
    )
    in_flight = peak = 0
    for _, step in edges:
        in_flight += step
        peak = max(peak, in_flight)
    return {
        "client": label,
        "jobs": jobs,
        "poll_s": interval,
        "delivered": len(result["delivered"]),
        "failed": result["failed_count"],
        "peak_rss_mb": mb(result["peak_rss_bytes"]),
        "cpu_cores": round(result["cpu_cores_tracking"], 3),
        "cpu_cores_incl_intake": round(result["cpu_cores_whole"], 3),
        "peak_in_flight": peak,
        "polls_per_job": round(polls / max(1, jobs), 2),
        "lag_p50_s": round(lag["p50"], 3),
        "lag_p95_s": round(lag["p95"], 3),
        "lag_max_s": round(lag["max"], 3),
        "intake_s": round(result["submit_seconds"], 1),
        "wall_s": round(result["wall_seconds"], 1),
        "vendor_creates": vendor["creates"],
        "emulator_cpu_cores": round(emu_cores, 2),
        "_extra": {
            k: result.get(k) for k in ("failed", "refused", "errors", "callbacks", "callbacks_woke")
        },
    }


RATIO_KEYS = ("peak_rss_mb", "cpu_cores", "polls_per_job", "lag_p50_s", "lag_p95_s")


def ratios(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each videobot row's figures divided by the baseline's at the same N."""
    base = {r["jobs"]: r for r in rows if r["client"] == "baseline"}
    out = []
    for row in rows:
        ref = base.get(row["jobs"])
        if row["client"] == "baseline" or ref is None:
            continue
        ratio: dict[str, Any] = {"client": row["client"], "jobs": row["jobs"]}
        for key in RATIO_KEYS:
            ratio[f"{key}_x"] = round(row[key] / ref[key], 2) if ref[key] else None
        out.append(ratio)
    return out


def verdicts(rows: list[dict[str, Any]], args: argparse.Namespace) -> list[str]:
    lines = []
    top = max(r["jobs"] for r in rows)
    for row in rows:
        if row["jobs"] != top or row["client"] == "baseline":
            continue
        checks = [
            ("RSS <= 300 MB", row["peak_rss_mb"] <= 300, f"{row['peak_rss_mb']} MB"),
            ("CPU <= 0.5 core", row["cpu_cores"] <= 0.5, f"{row['cpu_cores']} cores"),
        ]
        if row["client"] == "videobot/poll":
            limit = row["poll_s"] + 1
            checks.append(
                (f"p95 lag <= {limit:g} s", row["lag_p95_s"] <= limit, f"{row['lag_p95_s']} s")
            )
        else:
            checks.append(("p95 lag < 0.5 s", row["lag_p95_s"] < 0.5, f"{row['lag_p95_s']} s"))
        checks.append(("all delivered", row["delivered"] == row["jobs"], str(row["delivered"])))
        for name, ok, value in checks:
            lines.append(
                f"{row['client']} N={top:,}: {name}: {'met' if ok else 'MISSED'} ({value})"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", default="1000,5000,10000", help="comma list of N")
    parser.add_argument("--clients", default="poll,callback,baseline")
    parser.add_argument("--interval", type=float, default=5.0, help="videobot poll interval")
    parser.add_argument(
        "--callback-interval",
        type=float,
        default=30.0,
        help="fallback poll interval in callback mode",
    )
    parser.add_argument("--min", type=float, default=20.0, help="shortest task, seconds")
    parser.add_argument("--max", type=float, default=60.0, help="longest task, seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--senders", type=int, default=200, help="commands sent at once")
    # internal: the processes the orchestrator starts
    parser.add_argument("--role", choices=["bot", "baseline"], help=argparse.SUPPRESS)
    parser.add_argument("--vendor-url", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--flavour", default="runway", help=argparse.SUPPRESS)
    parser.add_argument("--callback", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.role:
        args.jobs = int(args.jobs)
        result = run_loop(bot_role(args)) if args.role == "bot" else baseline_role(args)
        print("RESULT " + json.dumps(result), flush=True)
        return

    rows = []
    for jobs in (int(n) for n in args.jobs.split(",")):
        for client in args.clients.split(","):
            print(f"running {client} with {jobs:,} jobs…", file=sys.stderr, flush=True)
            rows.append(run_case(client, jobs, args))
    extras = {f"{r['client']}@{r['jobs']}": r.pop("_extra") for r in rows}
    report("capacity", rows, {"settings": vars(args), "details": extras})
    ratio_rows = ratios(rows)
    if ratio_rows:
        report("capacity: videobot / baseline (same N, same run)", ratio_rows)
    print()
    for line in verdicts(rows, args):
        print(line)


if __name__ == "__main__":
    main()
