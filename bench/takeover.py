"""Takeover: three bot processes on one PostgreSQL database; the one holding every job in
flight is SIGKILLed, and the others take all of its jobs over.

One process (`bench.pg_worker`) asks for --jobs videos and sends them all to the vendor
emulator (`bench.vendor_server`, tasks lasting --min to --max seconds, longer than the
lease); then two more start, and the first is SIGKILLed. The benchmark reports, from the
kill: the time until no job is leased to the dead process any more (every one claimed and
resumed by the others; target: the lease time + 5 s), and how long the dead process's
last renewal left its leases to run. It then waits for every delivery and checks none was
lost or duplicated: each job submitted to the vendor once (the emulator counts creates),
delivered once (the processes' delivery logs) and charged once (the ledger).

    .venv/bin/python -m bench.takeover [--jobs 1000] [--lease 30]

It makes a throwaway database on the server of VIDEOBOT_TEST_POSTGRES_URL (default: this
machine's) and drops it at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import subprocess
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from bench.capacity import _line, _spawn
from bench.common import report
from bot.models import ACTIVE_STATES, JobState
from bot.storage import Store, open_store
from tests import postgres


def outcome(vendor: str, work: Path) -> tuple[int, Counter[str]]:
    """The creates the emulator counted, and each job id's deliveries over the processes."""
    with urllib.request.urlopen(f"{vendor}/_bench/tasks", timeout=60) as answer:
        creates = int(json.load(answer)["creates"])
    files = sorted(work.glob("delivered-*.txt"))
    return creates, Counter(line for f in files for line in f.read_text().split())


async def wait_for(check: Any, within: float, step: float = 0.2) -> float:
    """Poll the async `check` until true; the monotonic time it was; TimeoutError after."""
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(step)
    return time.monotonic()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    url = await postgres.create_database(postgres.server_url())
    emu = _spawn(["-m", "bench.vendor_server", "--min", str(args.min), "--max", str(args.max)],
                 "takeover-vendor")  # fmt: skip
    workers: list[subprocess.Popen[str]] = []
    store: Store | None = None
    try:
        vendor = _line(emu, "READY ", "takeover-vendor")
        work = Path(tempfile.mkdtemp(prefix="bench-takeover-"))
        base = ["-m", "bench.pg_worker", "--database-url", url, "--vendor-url", vendor,
                "--workdir", str(work), "--lease", str(args.lease)]  # fmt: skip
        first = _spawn([*base, "--name", "w0", "--jobs", str(args.jobs)], "takeover-w0")
        workers.append(first)
        victim = _line(first, "READY ", "takeover-w0")
        sent = int(_line(first, "SENT ", "takeover-w0"))
        store = await open_store(url)

        async def all_at_the_vendor_there() -> bool:
            holders = {h.owner: h.jobs for h in await store.lease_holders()}
            running = await store.list_jobs((JobState.RUNNING,), limit=10**6)
            return holders == {victim: sent} and len(running) == sent

        await wait_for(all_at_the_vendor_there, within=300)
        for n in (1, 2):
            workers.append(_spawn([*base, "--name", f"w{n}"], f"takeover-w{n}"))
            _line(workers[-1], "READY ", f"takeover-w{n}")
        [held] = [h for h in await store.lease_holders() if h.owner == victim]
        first.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        left_on_lease = held.lease_until - time.time()

        async def none_left_to_it() -> bool:
            return all(h.owner != victim for h in await store.lease_holders())

        resumed = await wait_for(none_left_to_it, within=args.lease + 120)
        takers = Counter(j.owner for j in await store.list_jobs(ACTIVE_STATES, limit=10**6))

        async def all_ended() -> bool:
            return not await store.list_jobs(ACTIVE_STATES, limit=1)

        ended = await wait_for(all_ended, within=args.max + 300, step=1.0)
        jobs = await store.list_jobs(limit=10**6)
        ledger = Counter((e.job_id, e.kind) for e in await store.ledger())
        creates, delivered = await asyncio.to_thread(outcome, vendor, work)
        ids = {j.id for j in jobs}
        return {
            "jobs": sent,
            "lease_s": args.lease,
            "victim_lease_left_at_kill_s": round(left_on_lease, 1),
            "takeover_s": round(resumed - killed, 1),
            "target_s": args.lease + 5,
            "taken_by": dict(Counter(o for o in takers.elements() if o)),
            "all_ended_s": round(ended - killed, 1),
            "delivered": sum(1 for j in jobs if j.state is JobState.DELIVERED),
            "lost": len(ids - set(delivered)),
            "vendor_creates": creates,
            "duplicate_submissions": max(0, creates - len(ids)),
            "duplicate_deliveries": sum(n - 1 for n in delivered.values() if n > 1),
            "charged_not_once": sum(1 for j in ids if ledger[(j, "charge")] != 1),
        }
    finally:
        if store is not None:
            await store.close()
        for proc in [*workers, emu]:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
        await postgres.drop_database(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--lease", type=float, default=30.0, help="VIDEO_LEASE_SECONDS")
    parser.add_argument("--min", type=float, default=60.0, help="shortest vendor task, s")
    parser.add_argument("--max", type=float, default=90.0, help="longest vendor task, s")
    args = parser.parse_args()
    row = asyncio.run(run(args))
    ok = (
        row["takeover_s"] <= row["target_s"]
        and row["lost"] == row["duplicate_submissions"] == row["duplicate_deliveries"] == 0
        and row["charged_not_once"] == 0
    )
    report("takeover", [row], {"ok": ok})
    print(f"\ntakeover: {'OK' if ok else 'FAILED'}")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
