"""`videobot migrate` and `videobot copy-db`: bringing a database's schema to this build's,
and moving a SQLite deployment to PostgreSQL."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any, TextIO

from bot.config import Settings
from bot.storage import (
    CopyRefused,
    StoreUnavailable,
    copy_to_postgres,
    display_url,
    is_postgres,
    open_store,
)

COMMANDS = ("migrate", "copy-db")


def add_parsers(sub: Any) -> None:
    sub.add_parser(
        "migrate",
        help="bring the database (DATABASE_URL) to this build's schema",
        description="Apply the schema migrations this build has and the database lacks "
        "(the bot also does so at start). SQLite and PostgreSQL alike.",
    )
    p = sub.add_parser(
        "copy-db",
        help="copy a SQLite database into an empty PostgreSQL one",
        description="Copy users, credits, daily usage, jobs (with their media) and the ledger "
        "from a SQLite file into an empty PostgreSQL database, in one transaction, then check "
        "that the ledger adds up the same on both sides. Stop the bot first, or expect what it "
        "writes after the copy began to be missing.",
    )
    p.add_argument("--from", dest="source", required=True, metavar="sqlite:///PATH")
    p.add_argument("--to", dest="target", required=True, metavar="postgresql://…")


def run(settings: Settings, args: Any, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        if args.command == "migrate":
            return asyncio.run(migrate(settings.database_url, out))
        return asyncio.run(copy_db(args.source, args.target, out))
    except StoreUnavailable as exc:
        print(f"videobot {args.command}: database {exc}", file=sys.stderr)
        return 1


async def migrate(url: str, out: TextIO) -> int:
    store = await open_store(url)  # opening applies the missing migrations
    try:
        version = await store.schema_version()
    finally:
        await store.close()
    print(f"{display_url(url)}: schema v{version} (current)", file=out)
    return 0


async def copy_db(source: str, target: str, out: TextIO) -> int:
    if not source.startswith("sqlite:///") or source == "sqlite:///":
        print("videobot copy-db: --from must be sqlite:///path/to/file.db", file=sys.stderr)
        return 2
    if not is_postgres(target):
        print("videobot copy-db: --to must be postgresql://user:pass@host/db", file=sys.stderr)
        return 2
    path = Path(source.removeprefix("sqlite:///"))
    try:
        report = await copy_to_postgres(path, target)
    except CopyRefused as exc:
        print(f"videobot copy-db: nothing copied: {exc}", file=sys.stderr)
        return 1
    copied = ", ".join(f"{n} {table}" for table, n in report["rows"].items())
    print(f"copied {path} to {display_url(target)}: {copied}", file=out)
    totals = ", ".join(f"{kind} {n}" for kind, n in report["ledger"].items())
    print(f"ledger balances the same on both sides: {totals}", file=out)
    return 0
