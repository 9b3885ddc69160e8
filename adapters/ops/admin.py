"""The operator's commands: `videobot users | grant | jobs | refund | export-ledger`.

Each command opens its own connection to the bot's database (DATABASE_URL). WAL mode and
the store's busy timeout make that safe while the bot runs: reads never block it, and a
write waits for the bot's current transaction instead of failing. Money still moves only
through the store's `grant` and `settle`, so a job is refunded at most once, whoever tries.
Grants and refunds are written to the audit log (`videobot audit`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from adapters.ops import audit
from adapters.ops.table import clip, print_table, utc_time
from adapters.terminal import for_terminal
from bot import texts
from bot.config import Settings
from bot.jobs.operator import OPERATOR_REFUND, OPERATOR_SWEEP_SECONDS
from bot.jobs.signals import REFUNDED
from bot.models import ACTIVE_STATES, Job, JobState, UserRef, parse_credits
from bot.service import utc_day
from bot.settings_keys import CORE_KEYS
from bot.settings_live import LiveSettings
from bot.storage import JobPatch, Store, StoreUnavailable, open_store
from bot.storage.lease_types import JobSignal

COMMANDS = ("users", "grant", "jobs", "refund", "export-ledger")
LEDGER_COLUMNS = ("id", "time", "user", "job_id", "kind", "amount", "note", "payment_id")


class AdminError(Exception):
    """A command could not do what was asked; the message says why (exit status 1)."""


def add_parsers(sub: Any) -> None:
    """Register the admin subcommands on the `videobot` parser's subparsers."""
    p = sub.add_parser(
        "users",
        help="users with their credits today, bonus, jobs and spending",
        description="Every user the bot has seen: credits left and used today (UTC), bonus "
        "credits, jobs, delivered videos and credits spent in total.",
    )
    p.add_argument("--day", help="the UTC day for 'used' and 'left' (YYYY-MM-DD; default today)")

    p = sub.add_parser(
        "grant",
        help="give a user bonus credits (negative takes them away)",
        description="Add bonus credits to USER (platform:id, e.g. telegram:12345). Bonus "
        "credits do not expire; a negative number takes credits away, never below zero.",
    )
    p.add_argument("user", metavar="USER", help="platform:id, e.g. telegram:12345")
    p.add_argument("credits", metavar="CREDITS", type=int)
    p.add_argument("--note", default="", help="recorded in the ledger")

    p = sub.add_parser(
        "jobs",
        help="list jobs, newest first",
        description="List jobs, newest first. --status takes job states (queued, reserved, "
        "submitting, running, delivering, delivered, failed, cancelled), comma separated or "
        "repeated; `active` means every unfinished state.",
    )
    p.add_argument("--status", action="append", default=[], metavar="STATE[,STATE]")
    p.add_argument("--user", metavar="USER", help="only this user's jobs")
    p.add_argument("--limit", type=int, default=50)

    p = sub.add_parser(
        "refund",
        help="refund a job that has not been charged (exactly once)",
        description="Refund JOB (its id or a unique prefix of it, as `videobot jobs` shows): "
        "the credits go back to the user and the job ends as failed (manual_refund). A job "
        "is refunded at most once; a delivered, charged job is not refunded (grant credits "
        "instead).",
    )
    p.add_argument("job", metavar="JOB")

    p = sub.add_parser(
        "export-ledger",
        help="write the credit ledger as CSV",
        description="Every credit movement (reserve, charge, refund, grant, purchase, "
        "payment_refund) as CSV: " + ", ".join(LEDGER_COLUMNS) + ". Times are ISO 8601, UTC.",
    )
    p.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")


def run(settings: Settings, args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run one admin command; returns the process exit status."""
    out = out or sys.stdout
    command: str = args.command
    handlers: dict[str, Callable[[Store], Awaitable[None]]] = {
        "users": lambda store: users(store, settings, out, day=args.day),
        "grant": lambda store: grant(store, args.user, args.credits, args.note, out),
        "jobs": lambda store: jobs(store, out, args.status, user=args.user, limit=args.limit),
        "refund": lambda store: refund(store, args.job, out),
        "export-ledger": lambda store: export_ledger(store, args.output, out),
    }
    try:
        asyncio.run(_with_store(settings, handlers[command], create=command == "grant"))
    except AdminError as exc:
        print(f"videobot {command}: {for_terminal(str(exc))}", file=sys.stderr)
        return 1
    return 0


async def _with_store(
    settings: Settings, action: Callable[[Store], Awaitable[None]], *, create: bool
) -> None:
    if settings.uses_sqlite and not create and not settings.sqlite_path.exists():
        path = settings.sqlite_path
        raise AdminError(f"no database at {path} (DATABASE_URL); has the bot run here yet?")
    store = await open_store(settings.database_url)
    try:
        await LiveSettings(store, CORE_KEYS, [settings]).refresh()  # /settings' values too
        await action(store)
    finally:
        await store.close()


# the commands


async def users(store: Store, settings: Settings, out: TextIO, day: str | None) -> None:
    day = day or utc_day(time.time())
    rows = []
    for u in await store.users(day):
        if settings.is_admin(UserRef.parse(u["user"])):
            left = "unlimited"
        else:
            left = str(max(0, settings.quota_credits_per_day - u["used_today"]) + u["bonus"])
        rows.append(
            [
                u["user"],
                left,
                str(u["used_today"]),
                str(u["bonus"]),
                str(u["jobs"]),
                str(u["delivered"]),
                str(u["spent"]),
                "banned" if u["banned"] else "",
            ]
        )
    print(f"credits on {day} (UTC), {settings.quota_credits_per_day} per user per day", file=out)
    header = ["USER", "LEFT", "USED", "BONUS", "JOBS", "DELIVERED", "SPENT", ""]
    print_table(header, rows, out, empty="no users yet")


async def grant(store: Store, user: str, credits: int, note: str, out: TextIO) -> None:
    try:
        ref = UserRef.checked(user)
        credits = parse_credits(credits)
    except ValueError as exc:
        raise AdminError(str(exc)) from None
    before = (await store.balance(ref, utc_day(time.time()))).bonus
    bonus = await store.grant(ref, credits, time.time(), note or "admin CLI")
    why = f"{credits:+d} {note}".strip()
    await store.record_audit(audit.entry("grant", str(ref), str(before), str(bonus), why))
    print(f"{for_terminal(str(ref))}: {credits:+d} credits, bonus balance now {bonus}", file=out)


def parse_states(values: Sequence[str]) -> tuple[JobState, ...]:
    states: list[JobState] = []
    for value in values:
        for word in value.replace(" ", ",").split(","):
            word = word.strip().lower()
            if not word:
                continue
            if word == "active":
                states.extend(ACTIVE_STATES)
                continue
            try:
                states.append(JobState(word))
            except ValueError:
                known = ", ".join(["active", *(s.value for s in JobState)])
                raise AdminError(f"unknown status {word!r}; known: {known}") from None
    return tuple(dict.fromkeys(states))


async def jobs(
    store: Store, out: TextIO, status: Sequence[str], *, user: str | None, limit: int
) -> None:
    states = parse_states(status)
    if user:
        try:
            ref = UserRef.parse(user)
        except ValueError as exc:
            raise AdminError(str(exc)) from None
        found = [
            j for j in await store.user_jobs(ref, limit=limit) if not states or j.state in states
        ]
    else:
        found = await store.list_jobs(states, limit=limit)
    rows = [
        [
            job.short_id,
            utc_time(job.created_at),
            str(job.user),
            job.state.value,
            job.vendor or "-",
            job.vendor_task_id or "-",
            str(job.cost),
            vendor_credits(job.vendor_cost),
            job.error_code or "",
            clip(job.prompt, 40),
        ]
        for job in found
    ]
    header = ["JOB", "CREATED (UTC)", "USER", "STATUS", "VENDOR", "TASK", "COST",
              "VENDOR COST", "ERROR", "PROMPT"]  # fmt: skip
    print_table(header, rows, out, empty="no jobs")


def vendor_credits(value: float | None) -> str:
    """The vendor's credits for a job (`-` where it reports none): what the operator pays."""
    if value is None:
        return "-"
    return f"{value:g}"


async def refund(store: Store, ref: str, out: TextIO) -> None:
    job = await _find(store, ref)
    settled = await store.settle(
        job.id,
        charge=False,
        state=JobState.FAILED,
        now=time.time(),
        patch=JobPatch(
            error_code=OPERATOR_REFUND,
            error_text="refunded by an operator",
            notice=texts.t(job.locale, "failed_operator", cost=job.cost),
        ),
    )
    if not settled:
        after = await store.get_job(job.id) or job
        if after.state is JobState.DELIVERED:
            raise AdminError(
                f"job {job.short_id} was delivered and charged; it is not refunded. To "
                f"give the credits back: videobot grant {job.user} {job.cost}"
            )
        raise AdminError(
            f"job {job.short_id} is already settled ({after.state.value}); nothing changed"
        )
    note = f"{job.cost} credit(s) back to {job.user}"
    await store.record_audit(audit.entry("refund", job.id, job.state.value, "failed", note))
    with contextlib.suppress(StoreUnavailable):  # the bot's sweep finds it anyway
        await store.signal(JobSignal(REFUNDED, job.id))  # the bot driving it acts at once
    user = for_terminal(str(job.user))
    print(f"job {job.short_id} refunded: {job.cost} credit(s) back to {user}", file=out)
    if not job.state.terminal:
        print(
            f"note: the job was {job.state.value}; a running bot stops its vendor task and "
            f"tells the user within {OPERATOR_SWEEP_SECONDS:.0f} s (a stopped one, when it "
            "starts)",
            file=out,
        )


async def _find(store: Store, ref: str) -> Job:
    job = await store.get_job(ref.strip()) or await store.find_job(ref)
    if job is None:
        raise AdminError(f"no job matches {ref!r} (give its id or a unique prefix of it)")
    return job


async def export_ledger(store: Store, output: str | None, out: TextIO) -> None:
    entries = await store.ledger()
    if output:
        await asyncio.to_thread(_write_ledger_file, entries, Path(output))
        print(f"{len(entries)} ledger entries written to {output}", file=sys.stderr)
    else:
        _write_ledger(entries, out)


def _write_ledger_file(entries: Sequence[Any], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        _write_ledger(entries, fh)


def _write_ledger(entries: Sequence[Any], fh: TextIO) -> None:
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(LEDGER_COLUMNS)
    for e in entries:
        when = datetime.fromtimestamp(e.at, UTC).isoformat(timespec="seconds")
        writer.writerow(
            [e.id, when, e.user, e.job_id or "", e.kind, e.amount, e.note, e.payment_id or ""]
        )
