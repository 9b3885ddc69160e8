"""`videobot vendors` and `videobot vendor-reset VENDOR`: the vendors' circuit breakers as
the store keeps them, and the operator's way to act on one.

A vendor out of credits (or whose key was refused) is held, skipped by every bot process on
the database, restarts included, until the operator acts: tops it up (where the vendor
reports its balance the bot notices) or runs `vendor-reset` once it is fixed. Running bots
take the reset in within a few seconds (bot/jobs/vendor_health.py).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any, TextIO

from adapters.ops import audit
from adapters.ops.table import print_table, utc_time
from adapters.terminal import for_terminal
from bot.config import Settings
from bot.jobs.vendor_health import WATCH_SECONDS
from bot.storage import open_store
from bot.storage.breaker_types import BreakerState

COMMANDS = ("vendors", "vendor-reset")


def add_parsers(sub: Any) -> None:
    sub.add_parser(
        "vendors",
        help="each vendor's circuit breaker: closed, open (cooling down) or held",
        description="The vendors whose breaker has opened or been held, as the bots on this "
        "database see it: open ones are probed again after their cool-down; held ones (out "
        "of credits, key refused) wait for `videobot vendor-reset`.",
    )
    p = sub.add_parser(
        "vendor-reset",
        help="close a vendor's breaker and lift its hold (after a top-up or a new key)",
        description="Close VENDOR's breaker and lift its hold, so the bots send it jobs "
        f"again (running ones within {WATCH_SECONDS:.0f} s).",
    )
    p.add_argument("vendor", metavar="VENDOR", help="the vendor's id, e.g. runway")


def run(settings: Settings, args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    if settings.uses_sqlite and not settings.sqlite_path.exists():
        path = settings.sqlite_path
        print(f"videobot {args.command}: no database at {path} (DATABASE_URL)", file=sys.stderr)
        return 1
    if args.command == "vendors":
        states = asyncio.run(_states(settings.database_url))
        rows = [[s.vendor, state_of(s, time.time()), utc_time(s.changed_at)] for s in states]
        print_table(("vendor", "breaker", "since"), rows, out, empty="every vendor is closed")
        return 0
    vendor = args.vendor.strip().lower()
    if not asyncio.run(_reset(settings.database_url, vendor)):
        print(f"{for_terminal(vendor)}: neither held nor open; nothing to reset", file=out)
        return 0
    print(
        f"{for_terminal(vendor)}: breaker closed and hold lifted; running bots try it again "
        f"within {WATCH_SECONDS:.0f} s",
        file=out,
    )
    return 0


def state_of(s: BreakerState, now: float) -> str:
    if s.held is not None:
        return f"held: {s.held}"
    if s.open_until > now:
        return f"open until {utc_time(s.open_until)}"
    return "half-open: the next job probes it" if s.open_until else "closed"


async def _states(url: str) -> list[BreakerState]:
    store = await open_store(url)
    try:
        return await store.breaker_states()
    finally:
        await store.close()


async def _reset(url: str, vendor: str) -> bool:
    """Release `vendor`; a release that changed something goes to the audit log."""
    store = await open_store(url)
    try:
        before = {s.vendor: s for s in await store.breaker_states()}.get(vendor)
        released = await store.release_vendor(vendor, time.time())
        if released:
            was = state_of(before, time.time()) if before is not None else "open"
            await store.record_audit(audit.entry("vendor_reset", vendor, was, "closed"))
        return released
    finally:
        await store.close()
