"""Telegram polling takeover: how long the bot takes no updates when its polling leader is
SIGKILLed, with two processes on one PostgreSQL database.

Each round starts a leader (a child process: core and Telegram adapter, tests.telegram_child)
and a follower (a second child), both long polling the Bot API emulator; once the follower
is up, the leader is SIGKILLed and the clock runs until the follower's first getUpdates.
The promise: within the follower's retry (2 s) plus its start of polling.

    .venv/bin/python -m bench.telegram_takeover [--rounds 5] [--database-url postgresql://…]

Without --database-url it makes a throwaway database on VIDEOBOT_TEST_POSTGRES_URL (else the
local server) and drops it afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, report, summary
from tests import postgres
from tests.botapi_emulator import BotAPIEmulator


async def _child(work: Path, url: str, api_url: str) -> asyncio.subprocess.Process:
    """A bot process, once it is started (it says whether it leads)."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.telegram_child", str(work), url, api_url,
        cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert child.stdout is not None
    await asyncio.wait_for(child.stdout.readline(), 60)
    return child


async def _round(tg: BotAPIEmulator, work: Path, url: str, n: int) -> float:
    """Seconds from the leader's SIGKILL to the follower's first getUpdates."""
    leader = await _child(work / f"lead-{n}", url, tg.via(f"lead{n}"))
    follower = await _child(work / f"follow-{n}", url, tg.via(f"follow{n}"))
    try:
        killed = time.monotonic()
        leader.kill()
        await leader.wait()
        await tg.wait_for_poll(f"follow{n}", timeout=60)
        return time.monotonic() - killed
    finally:
        follower.kill()
        await follower.wait()


async def run(rounds: int = 5, database_url: str | None = None) -> dict[str, Any]:
    url = database_url or await postgres.create_database(postgres.server_url())
    tg = await BotAPIEmulator().start()
    try:
        with tempfile.TemporaryDirectory(prefix="takeover-") as folder:
            gaps = [await _round(tg, Path(folder), url, n) for n in range(rounds)]
    finally:
        await tg.stop()
        if database_url is None:
            await postgres.drop_database(url)
    return {"rounds": rounds, **{f"takeover {k} s": v for k, v in summary(gaps).items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    row = asyncio.run(run(args.rounds, args.database_url))
    report("Telegram polling takeover (leader SIGKILLed, 2 processes)", [row])


if __name__ == "__main__":
    main()
