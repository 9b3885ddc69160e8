"""Chaos run: many users, failing vendors, a flaky Bot API and a bot killed at random, then a
reconciliation of every credit.

The bot runs as it does in production, `python -m adapters run` with the Telegram adapter,
as a child process on a real SQLite file. This process plays everyone else on 127.0.0.1:
the Telegram Bot API emulator (users send `/video` commands, some as captioned photos) and
two vendor emulators, `runway` and `openai-hk` (tasks take a random few seconds; openai-hk
calls back through the bot's callback server). While the commands arrive it injects faults
(vendor 5xx bursts, 429 with Retry-After, connection resets, timeouts, malformed JSON, Bot
API flood control and 5xx on sendVideo; prompts ask for moderation failures and tasks that
never finish) and SIGKILLs the bot at random moments, restarting it each time.

When every job has ended, it reconciles the database, the vendors' task lists and the
messages the users received, prints the table and JSON, and fails (exit 1) if any line that
must be 0 is not:

    .venv/bin/python -m bench.chaos [--seed 1] [--jobs 200] [--users 50] [--kills 5]
    .venv/bin/python -m bench.chaos --processes 3 --jobs 300 --kills 10   # PostgreSQL

With `--processes N` (N > 1) the bots are N processes sharing a throwaway PostgreSQL
database (on the server of VIDEOBOT_TEST_POSTGRES_URL, default this machine's), Telegram in
webhook mode with every process serving it (bench/chaos_processes.py), and the SIGKILLs
spread over the processes at random.

Every command carries a unique tag (`cx0042x`) in its prompt, which the vendors see in the
task body and the users see in the caption and status message; that is how a vendor task,
a delivered video and a refund message are tied back to the command and its job.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import random
import re
import signal
import socket
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.chaos_processes import SECRET, WebhookForwarder
from bench.chaos_purchases import CREDIT_PACKS, Buyers
from bench.common import ROOT, table
from bench.vendor_server import BenchEmulator
from bot.storage import open_store
from tests import postgres
from tests.botapi_emulator import TOKEN, BotAPIEmulator
from tests.emulators.base import Fault
from tests.helpers import image_bytes

TAG = re.compile(r"cx\d{4}x")
WORDS = (
    "a fox in snow",
    "a lighthouse in a storm",
    "a paper boat",
    "neon rain at night",
    "a cat astronaut",
    "waves at dusk",
    "a city timelapse",
    "a dancing robot",
)


@dataclass
class ChaosConfig:
    jobs: int = 200
    users: int = 50
    kills: int = 5
    seed: int = 1
    spread: float = 60.0  # seconds over which the commands arrive
    task_min: float = 2.0  # vendor task duration range, seconds
    task_max: float = 10.0
    job_timeout: float = 40.0  # VIDEO_JOB_TIMEOUT: ends the "[never]" tasks
    poll_interval: float = 1.0
    photo_share: float = 0.3  # commands sent as captioned photos (the two vendors share these)
    moderate_share: float = 0.06
    never_share: float = 0.04
    slow_faults: bool = True  # timeouts that hold a request past the 30 s client timeout
    purchases: int = 12  # Telegram Stars payments made during the run
    time_limit: float = 600.0  # the whole run, seconds
    workdir: Path | None = None
    processes: int = 1  # more than 1: on PostgreSQL, Telegram by webhook


@dataclass
class Line:
    name: str
    value: int
    must_be_zero: bool = False

    @property
    def ok(self) -> bool:
        return not self.must_be_zero or self.value == 0


@dataclass
class ChaosReport:
    seed: int
    lines: list[Line]
    faults: Counter[str]
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(line.ok for line in self.lines)

    def value(self, name: str) -> int:
        return next(line.value for line in self.lines if line.name == name)

    def print(self) -> None:
        rows = [
            {
                "check": line.name,
                "value": line.value,
                "rule": "must be 0" if line.must_be_zero else "",
                "result": ("ok" if line.ok else "FAILED") if line.must_be_zero else "",
            }
            for line in self.lines
        ]
        print(f"\n## chaos run, seed {self.seed}\n")
        print(table(rows))
        print("\nfaults injected: " + ", ".join(f"{k} {v}" for k, v in sorted(self.faults.items())))
        doc = {
            "benchmark": "chaos",
            "seed": self.seed,
            "ok": self.ok,
            "lines": {line.name: line.value for line in self.lines},
            "must_be_zero": [line.name for line in self.lines if line.must_be_zero],
            "faults": dict(self.faults),
            **self.details,
        }
        print("\nJSON " + json.dumps(doc))
        print(f"\nchaos run seed {self.seed}: {'RECONCILED' if self.ok else 'FAILED'}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class BotProcess:
    """The bot as a child process that can be killed and started again."""

    def __init__(self, env: dict[str, str], work: Path, name: str = "bot") -> None:
        self.env = env
        self.work = work
        self.name = name
        self.proc: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.kills = 0
        self.started_at = 0.0

    async def start(self) -> None:
        self.starts += 1
        log = (self.work / f"{self.name}-{self.starts}.log").open("wb")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "adapters",
            "run",
            cwd=self.work,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
        log.close()
        self.started_at = time.monotonic()

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
            await self.proc.wait()
            self.kills += 1

    async def stop(self) -> int:
        if self.proc is None or self.proc.returncode is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), 30)
        except TimeoutError:
            await self.kill()
            return -9

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None


async def read_db(url: str) -> dict[str, Any]:
    """Jobs, ledger, usage and bonuses, read through the store (WAL: readers welcome)."""
    path = Path(url.removeprefix("sqlite:///"))
    if url.startswith("sqlite:///") and not await asyncio.to_thread(path.exists):
        return {"jobs": [], "ledger": [], "usage": [], "users": []}
    store = await open_store(url)
    try:
        accounts = await store.accounts()
        ledger = await store.ledger()
    finally:
        await store.close()
    jobs = [dataclasses.asdict(job) for job in accounts.jobs]
    for job in jobs:
        match = TAG.search(job["request"].get("prompt", ""))
        job["tag"] = match.group(0) if match else None
    return {
        "jobs": jobs,
        "ledger": [dataclasses.asdict(entry) for entry in ledger],
        "usage": [dataclasses.asdict(row) for row in accounts.usage],
        "users": [
            {"user": user, "bonus": bonus, "purchased": accounts.purchased.get(user, 0)}
            for user, bonus in accounts.bonuses.items()
        ],
    }


class Chaos:
    def __init__(self, cfg: ChaosConfig) -> None:
        self.cfg = cfg
        self.rng = random.Random(cfg.seed)
        self.work = cfg.workdir or Path(tempfile.mkdtemp(prefix="videobot-chaos-"))
        self.work.mkdir(parents=True, exist_ok=True)
        self.db = self.work / "data" / "videobot.db"
        self.database_url = f"sqlite:///{self.db}"  # a PostgreSQL one with --processes
        self.faults: Counter[str] = Counter()
        self.sent: dict[str, dict[str, Any]] = {}  # tag -> what was sent
        self.pushing_done = asyncio.Event()
        self.photo = image_bytes((96, 64))
        # their own random numbers: the commands, faults and kills stay as the seed makes them
        self.buyers = Buyers(random.Random(cfg.seed + 1), cfg.purchases, cfg.spread, self.faults)

    def env(
        self, tg: BotAPIEmulator, runway: BenchEmulator, hk: BenchEmulator, webhook: int = 0
    ) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.endswith(("_API_KEY", "_BOT_TOKEN", "_BASE_URL", "_API_URL"))
            and not k.startswith(("VIDEO_", "CALLBACK_", "TELEGRAM_", "DISCORD_", "METRICS_"))
        }
        port = free_port()
        env.update(
            PYTHONPATH=str(ROOT),
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=tg.root_url,
            VIDEO_VENDORS="runway,openai-hk",
            RUNWAY_API_KEY=runway.api_key,
            RUNWAY_BASE_URL=runway.base_url,
            OPENAI_HK_API_KEY=hk.api_key,
            OPENAI_HK_BASE_URL=hk.base_url,
            VIDEO_POLL_INTERVAL=str(self.cfg.poll_interval),
            VIDEO_JOB_TIMEOUT=str(self.cfg.job_timeout),
            QUOTA_CREDITS_PER_DAY="1000",
            MAX_JOBS_PER_USER="50",
            # The run is minutes long: a vendor's breaker cools down, and a job waits in the
            # bot's queue, on the same compressed clock as everything else.
            VIDEO_BREAKER_COOLDOWN=str(max(2.0, self.cfg.spread * 0.1)),
            VIDEO_QUEUE_TIMEOUT=str(self.cfg.job_timeout * 2),
            DATABASE_URL=self.database_url,
            CALLBACK_BASE_URL=f"http://127.0.0.1:{port}",
            CALLBACK_LISTEN=f"127.0.0.1:{port}",
            LOG_LEVEL="INFO",
            CREDIT_PACKS=CREDIT_PACKS,
        )
        if webhook:  # one of several processes: Telegram reaches it by webhook
            env.update(
                # the compressed clock: a killed process's jobs go to the others in seconds
                VIDEO_LEASE_SECONDS=str(max(3.0, self.cfg.job_timeout / 8)),
                TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{webhook}/telegram",
                TELEGRAM_WEBHOOK_LISTEN=f"127.0.0.1:{webhook}",
                TELEGRAM_WEBHOOK_SECRET=SECRET,
            )
        return env

    # the users

    async def push_commands(self, tg: BotAPIEmulator) -> None:
        cfg, rng = self.cfg, self.rng
        users = [tg.user(5000 + i, name=f"user{i}") for i in range(cfg.users)]
        gap = cfg.spread / max(1, cfg.jobs)
        for n in range(cfg.jobs):
            await asyncio.sleep(rng.expovariate(1 / gap))
            tag = f"cx{n:04d}x"
            user = rng.choice(users)
            roll = rng.random()
            marker = ""
            if roll < cfg.moderate_share:
                marker = " [moderate]"
            elif roll < cfg.moderate_share + cfg.never_share:
                marker = " [never]"
            text = f"/video {tag} {rng.choice(WORDS)}{marker}"
            if rng.random() < cfg.photo_share:
                message = tg.make_message(None, user=user, caption=text, photo=tg.photo(self.photo))
            else:
                message = tg.make_message(text, user=user)
            tg.push_message(message)
            self.sent[tag] = {
                "user": user["id"],
                "marker": marker.strip(),
                "photo": "photo" in message,
            }
        self.pushing_done.set()

    # the faults

    def inject(self, tg: BotAPIEmulator, vendors: list[BenchEmulator]) -> None:
        rng = self.rng
        emu = rng.choice(vendors)
        kind = rng.choice(["create", "poll"])
        choice = rng.random()
        if choice < 0.18:
            emu.fail_next(kind, Fault(rng.choice([500, 502, 503])), times=rng.randint(3, 8))
            self.faults[f"vendor 5xx burst ({kind})"] += 1
        elif choice < 0.32:
            fault = Fault(
                429, {"error": "Too many requests"}, {"Retry-After": str(rng.randint(1, 3))}
            )
            emu.fail_next(kind, fault, times=rng.randint(1, 4))
            self.faults[f"vendor 429 Retry-After ({kind})"] += 1
        elif choice < 0.46:
            after = kind == "create" and rng.random() < 0.5  # the task exists, the answer is lost
            emu.fail_next(kind, Fault(drop=True, process=after))
            self.faults[f"connection reset ({kind}{', after create' if after else ''})"] += 1
        elif choice < 0.54 and self.cfg.slow_faults:
            emu.fail_next(kind, Fault(delay=31.0, process=kind == "create"))
            self.faults[f"timeout ({kind})"] += 1
        elif choice < 0.66:
            emu.fail_next(kind, Fault(200, "{not json"), times=rng.randint(1, 3))
            self.faults[f"malformed JSON ({kind})"] += 1
        elif choice < 0.82:
            method = rng.choice(["sendVideo", "sendMessage", "editMessageText"])
            tg.flood(method, seconds=rng.randint(1, 3), times=rng.randint(1, 3))
            self.faults[f"Bot API flood control ({method})"] += 1
        else:
            status = rng.choice([500, 502])
            tg.fail_next("sendVideo", status, "Internal Server Error", times=rng.randint(1, 2))
            self.faults["Bot API 5xx on sendVideo"] += 1

    async def fault_loop(self, tg: BotAPIEmulator, vendors: list[BenchEmulator]) -> None:
        while not self.pushing_done.is_set():
            await asyncio.sleep(self.rng.uniform(0.3, 1.5))
            self.inject(tg, vendors)

    async def outage(self, runway: BenchEmulator) -> None:
        """Runway refuses every create for a stretch: photo jobs move to openai-hk; text
        jobs (which only runway can do) wait in the bot's queue while its breaker is open
        and go when a probe finds it back, or are refunded (unavailable, or past the queue's
        time limit)."""
        await asyncio.sleep(self.cfg.spread * 0.4)
        runway.faults["create"] = [Fault(503)] * 100_000
        self.faults["vendor outage (runway creates 503)"] += 1
        await asyncio.sleep(max(3.0, self.cfg.spread * 0.15))
        runway.faults["create"] = []

    # the host

    async def kill_loop(self, bots: list[BotProcess]) -> None:
        cfg = self.cfg
        window = cfg.spread + cfg.task_max
        times = sorted(self.rng.uniform(2.0, window) for _ in range(cfg.kills))
        started = time.monotonic()
        for at in times:
            await asyncio.sleep(max(1.0, at - (time.monotonic() - started)))
            bot = self.rng.choice(bots) if len(bots) > 1 else bots[0]  # one: as before
            await bot.kill()
            await asyncio.sleep(self.rng.uniform(0.1, 1.5))
            await bot.start()
        self.faults["SIGKILL + restart"] = sum(bot.kills for bot in bots)

    # the end

    async def settled(self, bots: list[BotProcess], deadline: float) -> bool:
        """Wait until every command is handled or lost and every job settled, for a while."""
        stable_since, last = time.monotonic(), (-1, -1)
        while time.monotonic() < deadline:
            await asyncio.sleep(1.0)
            for bot in bots:
                if not bot.alive:  # it crashed on its own: a finding, but keep reconciling
                    self.faults["bot exited by itself"] += 1
                    await bot.start()
            data = await read_db(self.database_url)
            open_jobs = sum(1 for j in data["jobs"] if j["settled"] is None)
            state = (len(data["jobs"]), open_jobs)
            if state != last:
                stable_since, last = time.monotonic(), state
            quiet = time.monotonic() - stable_since
            last_start = max(bot.started_at for bot in bots)
            if open_jobs == 0 and quiet >= 8 and time.monotonic() - last_start >= 15:
                return True
        return False

    async def run(self) -> ChaosReport:
        cfg = self.cfg
        started = time.monotonic()
        if cfg.processes > 1:
            self.database_url = await postgres.create_database(postgres.server_url())
        tg = await BotAPIEmulator().start()
        common = {"min_seconds": cfg.task_min, "max_seconds": cfg.task_max}
        runway = BenchEmulator(api_key="rw-key", flavour="runway", seed=cfg.seed, **common)
        hk = BenchEmulator(api_key="hk-key", flavour="openai-hk", seed=cfg.seed + 1, **common)
        await runway.start()
        await hk.start()
        hooks = [free_port() for _ in range(cfg.processes)] if cfg.processes > 1 else [0]
        bots = [
            BotProcess(self.env(tg, runway, hk, port), self.work, f"bot{n}" if n else "bot")
            for n, port in enumerate(hooks)
        ]
        helpers: list[asyncio.Task[None]] = []
        if cfg.processes > 1:
            urls = [f"http://127.0.0.1:{port}/telegram" for port in hooks]
            forwarder = WebhookForwarder(tg, urls, lambda n: bots[n].alive)
            helpers.append(asyncio.create_task(forwarder.run()))
        finished = False
        try:
            for bot in bots:
                await bot.start()
            await asyncio.gather(
                self.push_commands(tg),
                self.fault_loop(tg, [runway, hk]),
                self.kill_loop(bots),
                self.outage(runway),
                self.buyers.push(tg, [tg.user(5000 + i) for i in range(cfg.users)]),
            )
            finished = await self.settled(bots, started + cfg.time_limit)
            codes = [await bot.stop() for bot in bots]
            data = await read_db(self.database_url)
            report = self.reconcile(data, tg, [runway, hk], finished)
            report.details.update(
                wall_seconds=round(time.monotonic() - started, 1),
                processes=cfg.processes,
                bot_starts=sum(bot.starts for bot in bots),
                last_exit_code=codes[0] if len(codes) == 1 else codes,
                workdir=str(self.work),
            )
            return report
        finally:
            for task in helpers:
                task.cancel()
            for bot in bots:
                await bot.kill()
            for server in (runway, hk):
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(server.stop(), 10)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(tg.stop(), 10)
            if cfg.processes > 1:
                await postgres.drop_database(self.database_url)

    def reconcile(
        self, data: dict[str, Any], tg: BotAPIEmulator, vendors: list[BenchEmulator], finished: bool
    ) -> ChaosReport:
        jobs = data["jobs"]
        by_tag: dict[str, list[dict[str, Any]]] = {}
        for job in jobs:
            by_tag.setdefault(job["tag"] or "?", []).append(job)

        vendor_tasks: Counter[str] = Counter()
        for emu in vendors:
            for task in emu.tasks.values():
                match = TAG.search(task.prompt or json.dumps(task.body)[:4000])
                vendor_tasks[match.group(0) if match else "?"] += 1
        tracked = {j["vendor_task_id"] for j in jobs if j["vendor_task_id"]}
        all_task_ids = {t for emu in vendors for t in emu.tasks}

        sent_videos: Counter[str] = Counter()
        for call in tg.calls_of("sendVideo"):
            if call.ok:
                match = TAG.search(str(call.params.get("caption", "")))
                sent_videos[match.group(0) if match else "?"] += 1
        final_texts = [str(m.get("text", "")) for m in tg.messages.values()]

        def refund_shown(job: dict[str, Any]) -> bool:
            return any(job["tag"] in text and "refunded" in text for text in final_texts)

        delivered = [j for j in jobs if j["state"] == "delivered"]
        refunded = [j for j in jobs if j["settled"] == "refunded"]
        charged = [j for j in jobs if j["settled"] == "charged"]
        exactly_once = sum(
            1 for j in delivered if j["settled"] == "charged" and sent_videos[j["tag"]] == 1
        )
        duplicate_submissions = sum(
            max(0, vendor_tasks[tag] - len(by_tag.get(tag, []))) for tag in vendor_tasks
        )
        # More videos arrived for a command than it has jobs. (A job refunded because a kill
        # cut its hand-over may still have arrived once: free for the user, not a duplicate.)
        duplicate_deliveries = sum(
            max(0, n - len(by_tag.get(tag, []))) for tag, n in sent_videos.items()
        )
        arrived_refunded = [j["tag"] for j in refunded if sent_videos[j["tag"]]]
        charged_undelivered = sum(j["cost"] for j in charged if sent_videos[j["tag"]] == 0)
        duplicate_jobs = sum(max(0, len(js) - 1) for tag, js in by_tag.items() if tag != "?")
        lost = [tag for tag in self.sent if tag not in by_tag]

        ledger_problems = self.ledger_problems(data)
        purchase_problems = self.buyers.problems(data)
        granted = sum(e["amount"] for e in data["ledger"] if e["kind"] == "purchase")
        lines = [
            Line("commands sent", len(self.sent)),
            Line("jobs created", len(jobs)),
            Line("commands lost in a kill before their job was reserved (no charge)", len(lost)),
            Line("jobs delivered exactly once (charged)", exactly_once),
            Line("jobs refunded", len(refunded)),
            Line("jobs refunded with a message to the user", sum(map(refund_shown, refunded))),
            Line(
                "refunded jobs whose video arrived anyway (kill during hand-over; free)",
                len(arrived_refunded),
            ),
            Line("vendor tasks created", sum(vendor_tasks.values())),
            Line(
                "vendor tasks no job tracks (create answer lost; refunded)",
                len(all_task_ids - tracked),
            ),
            Line(
                "jobs still open at the end",
                sum(1 for j in jobs if j["settled"] is None) + (0 if finished else 1),
                must_be_zero=True,
            ),
            Line("duplicate jobs for one command", duplicate_jobs, must_be_zero=True),
            Line("duplicate vendor submissions", duplicate_submissions, must_be_zero=True),
            Line("duplicate deliveries", duplicate_deliveries, must_be_zero=True),
            Line("credits charged for undelivered videos", charged_undelivered, must_be_zero=True),
            Line("ledger balance mismatches", len(ledger_problems), must_be_zero=True),
            Line("Stars payments made", len(self.buyers.bought)),
            Line(
                "credits bought minus credits granted by purchases",
                abs(self.buyers.total_bought() - granted),
                must_be_zero=True,
            ),
            Line("purchase mismatches", len(purchase_problems), must_be_zero=True),
        ]
        outcomes = Counter(j["error_code"] or j["state"] for j in jobs)
        report = ChaosReport(self.cfg.seed, lines, self.faults)
        report.details.update(
            outcomes=dict(outcomes),
            ledger_problems=ledger_problems[:20],
            purchase_problems=purchase_problems[:20],
            lost_commands=lost[:20],
            arrived_but_refunded=arrived_refunded[:20],
            duplicate_delivery_tags=[
                t for t, n in sent_videos.items() if n > len(by_tag.get(t, []))
            ][:20],
            refunded_without_message=[j["tag"] for j in refunded if not refund_shown(j)][:20],
            vendors_used=dict(Counter(j["vendor"] or "-" for j in jobs)),
        )
        return report

    def ledger_problems(self, data: dict[str, Any]) -> list[str]:
        """Every job: one reserve of its cost, then one charge or one refund of the same."""
        problems: list[str] = []
        entries: dict[str, list[dict[str, Any]]] = {}
        for entry in data["ledger"]:
            if entry["job_id"]:
                entries.setdefault(entry["job_id"], []).append(entry)
        charged_by_user: Counter[tuple[str, str]] = Counter()
        for job in data["jobs"]:
            kinds = Counter(e["kind"] for e in entries.get(job["id"], []))
            amounts = {e["kind"]: e["amount"] for e in entries.get(job["id"], [])}
            paid = job["paid_daily"] + job["paid_bonus"] + job["paid_purchased"]
            settle = {"charged": "charge", "refunded": "refund"}.get(job["settled"] or "")
            if kinds["reserve"] != 1 or amounts.get("reserve") != paid or paid != job["cost"]:
                problems.append(
                    f"{job['tag']}: reserve {dict(kinds)} {amounts}, cost {job['cost']}"
                )
            elif settle is None or kinds[settle] != 1 or amounts.get(settle) != paid:
                problems.append(f"{job['tag']}: settled {job['settled']} with {dict(kinds)}")
            elif sum(kinds.values()) != 2:
                problems.append(f"{job['tag']}: ledger {dict(kinds)}")
            if job["settled"] == "charged":
                charged_by_user[(job["user"], job["quota_day"])] += job["paid_daily"]
        for row in data["usage"]:
            if row["used"] != charged_by_user[(row["user"], row["day"])]:
                problems.append(
                    f"{row['user']} {row['day']}: daily usage {row['used']} but "
                    f"{charged_by_user[(row['user'], row['day'])]} charged"
                )
        for user in data["users"]:
            if user["bonus"] != 0:  # nobody was granted bonus credits in this run
                problems.append(f"{user['user']}: bonus {user['bonus']}")
        return problems


async def run_chaos(cfg: ChaosConfig) -> ChaosReport:
    return await Chaos(cfg).run()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, action="append", help="repeat for several runs")
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--spread", type=float, default=60.0, help="seconds of arrivals")
    parser.add_argument("--workdir", type=Path, help="keep the database and bot logs here")
    parser.add_argument(
        "--processes", type=int, default=1, help="bot processes (more than 1: PostgreSQL)"
    )
    args = parser.parse_args()
    ok = True
    for seed in args.seed or [1]:
        work = args.workdir / f"seed-{seed}" if args.workdir else None
        cfg = ChaosConfig(
            jobs=args.jobs,
            users=args.users,
            kills=args.kills,
            seed=seed,
            spread=args.spread,
            workdir=work,
            processes=args.processes,
        )
        report = asyncio.run(run_chaos(cfg))
        report.print()
        ok = ok and report.ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
