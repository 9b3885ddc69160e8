"""`videobot spend`: what the vendors cost the operator in money, as a table or CSV.

The money is each settled job's (bot.spend prices it as the job settles), so this report,
`/stats` and the `videobot_vendor_spend_usd_total` metric read the same numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from adapters.ops.table import print_table
from bot.config import Settings
from bot.spend import usd
from bot.storage import Store, open_store
from bot.storage.base import SpendLine
from bot.storage.spend_sql import SPEND_GROUPS

COMMANDS = ("spend",)


def add_parsers(sub: Any) -> None:
    """Register `videobot spend` on the `videobot` parser's subparsers."""
    p = sub.add_parser(
        "spend",
        help="what the vendors cost in money (USD), grouped",
        description="Money the settled jobs of the last DAYS days cost the operator (USD, "
        "priced by VENDOR_PRICES or the vendor's own charge), grouped by vendor, model, user "
        "or chat, with a total.",
    )
    p.add_argument("--days", type=days_arg, default=30, help="how far back (default 30)")
    p.add_argument("--by", choices=tuple(SPEND_GROUPS), default="vendor")
    p.add_argument("--csv", metavar="FILE", help="also write the rows as CSV to FILE ('-': stdout)")


def days_arg(value: str) -> int:
    days = int(value)
    if not 1 <= days <= 3660:
        raise argparse.ArgumentTypeError("DAYS is a whole number from 1 to 3660")
    return days


def run(settings: Settings, args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Print the report (and write the CSV); returns the exit status."""
    out = out or sys.stdout
    if settings.uses_sqlite and not settings.sqlite_path.exists():
        print(
            f"videobot spend: no database at {settings.sqlite_path} (DATABASE_URL)", file=sys.stderr
        )
        return 1
    since = time.time() - args.days * 86400
    lines = asyncio.run(_read(settings.database_url, since, args.by))
    report(lines, args.by, args.days, out)
    if args.csv == "-":
        write_csv(lines, args.by, out)
    elif args.csv:
        with Path(args.csv).open("w", newline="", encoding="utf-8") as fh:
            write_csv(lines, args.by, fh)
    return 0


async def _read(url: str, since: float, by: str) -> list[SpendLine]:
    store: Store = await open_store(url)
    try:
        return await store.spend(since, (by,))
    finally:
        await store.close()


def report(lines: Sequence[SpendLine], by: str, days: int, out: TextIO) -> None:
    rows = [[line.group[0] or "-", str(line.jobs), usd(line.usd)] for line in lines]
    print_table((by, "jobs", "usd"), rows, out, empty=f"no spend in the last {days} days")
    if lines:
        total = sum(line.usd for line in lines)
        print(f"total: {sum(line.jobs for line in lines)} jobs, {usd(total)} USD", file=out)


def write_csv(lines: Sequence[SpendLine], by: str, fh: TextIO) -> None:
    writer = csv.writer(fh)
    writer.writerow((by, "jobs", "usd"))
    for line in lines:
        writer.writerow((line.group[0], line.jobs, f"{line.usd:.6f}"))
