"""`videobot audit [--days N] [--actor X]`: the audit log of operator actions (settings
changed, grants, bans, refunds, group budgets), newest first; and who the command line
writes there as."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
import time
from typing import Any, TextIO

from adapters.ops.spend import days_arg
from adapters.ops.table import print_table, utc_time
from bot.config import Settings
from bot.storage import Store, open_store
from bot.storage.settings_types import AuditEntry

COMMAND = "audit"
SOURCE = "cli"  # where the command line's actions come from, in the log


def cli_actor() -> str:
    """The operator at this terminal, as the audit log names them: `cli:<login>`."""
    try:
        return f"{SOURCE}:{getpass.getuser() or 'unknown'}"
    except Exception:  # no login name (a container with an unnamed uid)
        return f"{SOURCE}:unknown"


def entry(
    action: str, target: str, before: str = "", after: str = "", note: str = ""
) -> AuditEntry:
    """An audit entry for an action taken now from the command line."""
    return AuditEntry(time.time(), cli_actor(), SOURCE, action, target, before, after, note)


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        COMMAND,
        help="who changed what: settings, grants, bans, refunds, group budgets",
        description="The audit log, newest first: every settings change (/settings, videobot "
        "settings), /grant and videobot grant, ban and unban, refund and refund-payment, "
        "group budget change and vendor-reset, with who made it, from where, and the value "
        "before and after.",
    )
    p.add_argument("--days", type=days_arg, default=30, help="how far back (default 30)")
    p.add_argument("--actor", metavar="X", help="only this actor's (e.g. telegram:12345, cli:root)")
    p.add_argument("--limit", type=int, default=1000, help="at most this many rows (default 1000)")


def run(settings: Settings, args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    if settings.uses_sqlite and not settings.sqlite_path.exists():
        print(
            f"videobot audit: no database at {settings.sqlite_path} (DATABASE_URL)", file=sys.stderr
        )
        return 1
    since = time.time() - args.days * 86400
    entries = asyncio.run(_read(settings.database_url, since, args.actor, args.limit))
    report(entries, args.days, out)
    return 0


async def _read(url: str, since: float, actor: str | None, limit: int) -> list[AuditEntry]:
    store: Store = await open_store(url)
    try:
        return await store.audit_log(since, actor=actor.strip() if actor else None, limit=limit)
    finally:
        await store.close()


def report(entries: list[AuditEntry], days: int, out: TextIO) -> None:
    rows = [
        [utc_time(e.at), e.actor, e.source, e.action, e.target, e.before, e.after, e.note]
        for e in entries
    ]
    header = ["TIME (UTC)", "ACTOR", "FROM", "ACTION", "TARGET", "BEFORE", "AFTER", "NOTE"]
    print_table(header, rows, out, empty=f"no audit entries in the last {days} days")
