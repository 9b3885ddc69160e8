"""Fairness and ETA accuracy of the bot's queue: 50 users, one sending 20 jobs and 49 one
each, against a vendor that renders at most 8 tasks at once, each for a random 20-60 s.

Time is scaled (--scale, default 0.1: a 40 s task takes 4 s, the poll interval 0.5 s); every
figure is in vendor seconds (divided by the scale). The vendor emulator (the test suite's
Runway emulator, in process) reports its limit as Runway does, per model in GET
/v1/organization, and the bot learns its capacity (8) from that. Each scenario starts with
a fresh database and a warm-up of --warmup jobs, so the estimates come from render times
measured here rather than from the conservative defaults for a model never seen.

Two arrival patterns, each run three ways: `mixed` (the heavy user's 20 jobs at once, then
the 49 others), `light only` (the heavy user absent) and `mixed, FIFO` (turns taken oldest
first across all users, as before the round-robin, for contrast):
- `at once`: the 49 arrive together, right after the heavy user's burst;
- `over N min` (--spread, minutes, comma separated): they arrive at random over N minutes
  after the burst, a Poisson process of 49 arrivals in that window (seeded, the same times
  in the three runs).

    .venv/bin/python -m bench.fairness [--scale 0.1] [--seed 1] [--spread 2,4,6]
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import random
import statistics
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.runtime import run_loop
from bench.common import report
from bot.bootstrap import build_core
from bot.commands import read
from bot.config import Settings
from bot.events import JobEvent
from bot.jobs.standing import Standing
from bot.jobs.turns import Ticket
from bot.models import Job, UserRef
from bot.service import Incoming
from bot.vendors.runway import RunwayClient
from tests.emulators.base import EmuTask
from tests.emulators.runway import RunwayEmulator


class SlotEmulator(RunwayEmulator):
    """Runs at most `slots` tasks at once (more would wait THROTTLED, as at Runway)."""

    def __init__(self, slots: int, low: float, high: float, seed: int) -> None:
        super().__init__("bench-key", throttled=True)
        self.tier_models = {"gen4.5": {"maxConcurrentGenerations": slots}}
        self.free = [0.0] * slots  # when each slot frees, as a heap
        self.low, self.high = low, high
        self.rng = random.Random(seed)

    def new_task(self, body: dict[str, Any], prompt: str, task_id: str | None = None) -> EmuTask:
        task = super().new_task(body, prompt, task_id)
        task.run_seconds = self.rng.uniform(self.low, self.high)
        start = max(task.created, self.free[0])
        task.queue_seconds = start - task.created
        heapq.heapreplace(self.free, start + task.run_seconds)
        return task


class Sink:
    keep_files = False
    acks_notices = False

    def __init__(self) -> None:
        self.delivered: dict[str, float] = {}
        self.changed = asyncio.Event()

    async def on_event(self, event: JobEvent) -> None:
        return None

    async def deliver(self, job: Job, video: Path, caption: str) -> None:
        self.delivered[job.id] = time.time()
        self.changed.set()


def fifo(core: Any) -> None:
    """Take turns oldest first across all users, instead of round-robin."""
    line = core.engine.queue.line

    def users() -> Iterator[deque[Ticket]]:
        tickets = sorted((t for users in line.places.values() for w in users.values() for t in w),
                         key=lambda t: t.key)  # fmt: skip
        for ticket in tickets:
            yield deque([ticket])

    line.users = users


async def wait_delivered(sink: Sink, ids: list[str]) -> None:
    while not all(i in sink.delivered for i in ids):
        sink.changed.clear()
        await sink.changed.wait()


@dataclass(frozen=True)
class Arrivals:
    """When each 1-job user sends, in vendor seconds after the heavy user's burst (None:
    all at once)."""

    label: str
    times: list[float] | None = None


def poisson(count: int, minutes: float, seed: int) -> Arrivals:
    """`count` arrival times of a Poisson process conditioned on `count` arrivals in
    `minutes`: sorted uniform times."""
    rng = random.Random(seed)
    times = sorted(rng.uniform(0.0, minutes * 60) for _ in range(count))
    return Arrivals(f"over {minutes:g} min", times)


async def scenario(
    args: argparse.Namespace, heavy: int, light: int, order: str, arrivals: Arrivals
) -> dict[str, Any]:
    scale = args.scale
    emu = SlotEmulator(args.slots, 20 * scale, 60 * scale, args.seed)
    await emu.start()
    work = Path(tempfile.mkdtemp(prefix="bench-fair-"))
    per_user = max(heavy, args.warmup)  # the per-user limits are not what keeps turns fair
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite:///{work / 'bench.db'}", video_vendors=["runway"],
        video_poll_interval=5 * scale, video_job_timeout=3600, video_queue_timeout=3600,
        quota_credits_per_day=10**6, max_jobs_per_user=per_user, max_queued_per_user=per_user,
    )  # fmt: skip
    core = await build_core(
        settings, vendors=[RunwayClient(api_key="bench-key", base_url=emu.base_url)]
    )
    sink = Sink()
    core.engine.subscribe("bench", sink)
    if order == "fifo":
        fifo(core)
    first_eta: dict[str, Standing | None] = {}
    admit = core.engine.admit

    def recording_admit(job: Job) -> Standing | None:
        first_eta[job.id] = standing = admit(job)
        return standing

    core.engine.admit = recording_admit  # type: ignore[method-assign]
    await core.start()

    async def send(user: str, n: int) -> tuple[str, str]:
        msg = Incoming(user=UserRef("bench", user), command=read(f"/video job {user} {n}"))
        reply = await core.service.handle(msg)
        assert reply.job is not None, reply.text
        return user, reply.job.id

    warm = await asyncio.gather(*(send("warmup", i) for i in range(args.warmup)))
    await wait_delivered(sink, [j for _, j in warm])
    jobs = [await send("heavy", i) for i in range(heavy)]  # the heavy user's burst first

    async def later(i: int) -> tuple[str, str]:
        await asyncio.sleep(arrivals.times[i] * scale if arrivals.times is not None else 0.0)
        return await send(f"light{i}", 0)

    jobs += await asyncio.gather(*(later(i) for i in range(light)))
    await wait_delivered(sink, [j for _, j in jobs])
    rows = []
    for user, job_id in jobs:
        job = await core.store.get_job(job_id)
        assert job is not None and job.submitted_at is not None
        done = sink.delivered[job_id] - job.created_at
        standing = first_eta[job_id]
        assert standing is not None
        rows.append({
            "user": user, "wait": job.submitted_at - job.created_at, "delivery": done,
            "eta": standing.eta, "upper": standing.upper,
        })  # fmt: skip
    await core.aclose()
    await emu.stop()
    return summarise(rows, scale, heavy, order, arrivals)


def before_upper(rows: list[dict[str, Any]]) -> float:
    """The share of jobs delivered before the upper end of the first ETA they were shown."""
    return float(sum(r["delivery"] <= r["upper"] for r in rows) / len(rows))


def name(row: dict[str, Any], index: int) -> str:
    return f"heavy#{index}" if row["user"] == "heavy" else str(row["user"])


def jain(values: list[float]) -> float:
    return sum(values) ** 2 / (len(values) * sum(v * v for v in values)) if any(values) else 1.0


def summarise(
    rows: list[dict[str, Any]], scale: float, heavy: int, order: str, arrivals: Arrivals
) -> dict[str, Any]:
    light_waits = [r["wait"] / scale for r in rows if r["user"].startswith("light")]
    heavy_waits = [r["wait"] / scale for r in rows if r["user"] == "heavy"]
    errors = [abs(r["eta"] - r["delivery"]) / r["delivery"] for r in rows]
    return {
        "scenario": f"{'mixed' if heavy else 'light only'}{', FIFO' if order == 'fifo' else ''}",
        "arrivals": arrivals.label,
        "jobs": len(rows),
        "light wait p50 s": statistics.median(light_waits),
        "light wait max s": max(light_waits),
        "heavy wait max s": max(heavy_waits) if heavy_waits else float("nan"),
        "jain (light waits)": jain(light_waits),
        "eta error p50": statistics.median(errors),
        "before upper": before_upper(rows),
        "before upper, 1-job users": before_upper([r for r in rows if r["user"] != "heavy"]),
        "waits": {name(r, i): round(r["wait"] / scale, 1) for i, r in enumerate(rows)},
        "light deliveries": {r["user"]: r["delivery"] for r in rows if r["user"] != "heavy"},
    }


async def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    """The scenarios' rows, by arrival pattern. `jain (light slowdown)`: Jain's index over
    each 1-job user's time to delivery divided by its time with the heavy user absent (the
    same arrival times)."""
    patterns = [Arrivals("at once")]
    patterns += [poisson(args.light, m, args.seed) for m in spreads(args.spread)]
    out = []
    for arrivals in patterns:
        rows = [await scenario(args, args.heavy_jobs, args.light, "round-robin", arrivals)]
        rows.append(await scenario(args, 0, args.light, "round-robin", arrivals))
        if not args.no_fifo:
            rows.append(await scenario(args, args.heavy_jobs, args.light, "fifo", arrivals))
        alone = rows[1]["light deliveries"]
        for row in rows:
            mine = row.pop("light deliveries")
            row["jain (light slowdown)"] = jain([mine[u] / alone[u] for u in alone])
        out += rows
    return out


def spreads(text: str) -> list[float]:
    return [float(m) for m in text.split(",") if m.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.1, help="seconds per vendor second")
    parser.add_argument("--slots", type=int, default=8)
    parser.add_argument("--light", type=int, default=49, help="users sending one job each")
    parser.add_argument("--heavy-jobs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=16)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--spread", default="2,4,6", help="minutes the 49 arrive over ('': none)")
    parser.add_argument("--no-fifo", action="store_true")
    args = parser.parse_args()
    rows = run_loop(run(args))
    turnover = 60.0  # vendor seconds: the longest a busy slot takes to free
    worst = {}
    for mixed in (r for r in rows if r["scenario"] == "mixed"):
        alone = next(
            r for r in rows if r["scenario"] == "light only" and r["arrivals"] == mixed["arrivals"]
        )
        worst[mixed["arrivals"]] = over = mixed["light wait max s"] - alone["light wait max s"]
        print(
            f"{mixed['arrivals']}: worst 1-job wait {mixed['light wait max s']:.0f} s with the "
            f"heavy user, {alone['light wait max s']:.0f} s without: {over:+.0f} s (target: at "
            f"most one slot turnover, {turnover:.0f} s, more)"
        )
    extra = {
        "scale": args.scale,
        "seed": args.seed,
        "worst_light_wait_over_absent_s": worst,
        "slot_turnover_s": turnover,
        "waits": [r.pop("waits") for r in rows],
    }
    report("Fairness and ETA (vendor seconds)", rows, extra)


if __name__ == "__main__":
    main()
