"""How jobs are laid out, in SQLite and PostgreSQL alike: the job columns, row -> `Job`,
`UPDATE` assignments, the job a reserve returns and what a reconciliation reads of a job.

Both backends use these, so a job column is added here once: to `JOB_COLUMNS` and
`row_to_job` for a column read, to `JobPatch` for one written."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import fields
from typing import Any

from bot.chat import StoredChat
from bot.job_request import request_from_json, request_to_json
from bot.models import Job, JobState, UserRef
from bot.storage.account_types import Accounts, DailyUsage, JobAccount
from bot.storage.base import KEEP, Balance, JobPatch, NewJob


def marks(items: tuple[Any, ...]) -> str:
    return ",".join("?" * len(items))


HEX = re.compile(r"^[0-9a-f]{4,32}$")  # a job id, or the start of one
JOB_COLUMNS = (
    "id, user, state, request, cost, locale, chat, vendor, vendor_task_id, progress, "
    "error_code, error_text, result_path, result_url, created_at, updated_at, deadline_at, "
    "attempt, vendor_cost, submitted_at, owner"
)
NEW_JOB_COLUMNS = (
    "id", "user", "state", "request", "cost", "paid_daily", "paid_bonus", "paid_purchased",
    "quota_day", "locale", "chat", "created_at", "updated_at", "deadline_at",
)  # fmt: skip
JOB_INSERT = f"INSERT INTO jobs ({', '.join(NEW_JOB_COLUMNS)}) VALUES ({marks(NEW_JOB_COLUMNS)})"
LEDGER_READ = "SELECT id, at, user, job_id, kind, amount, note, payment_id FROM ledger ORDER BY id"
# The input media of jobs settled before a time (kept until then for Again).
PRUNE_MEDIA = (
    "DELETE FROM job_media WHERE job_id IN "
    "(SELECT id FROM jobs WHERE settled IS NOT NULL AND updated_at < ?)"
)
LEDGER_INSERT = (
    "INSERT INTO ledger (at, user, job_id, kind, amount, note) VALUES (?, ?, ?, ?, ?, ?)"
)
# Render times (`Store.record_render` / `render_history`): a sample, then its vendor and
# model trimmed to the newest `keep` (vendor, model, vendor, model, keep - 1); the newest
# `keep` of each vendor and model, oldest first.
RENDER_INSERT = "INSERT INTO render_times (vendor, model, at, seconds) VALUES (?, ?, ?, ?)"
RENDER_TRIM = (
    "DELETE FROM render_times WHERE vendor = ? AND model = ? AND at < ("
    "SELECT at FROM render_times WHERE vendor = ? AND model = ? "
    "ORDER BY at DESC LIMIT 1 OFFSET ?)"
)
RENDER_HISTORY = (
    "SELECT vendor, model, seconds, at FROM (SELECT *, ROW_NUMBER() OVER "
    "(PARTITION BY vendor, model ORDER BY at DESC) AS n FROM render_times) AS recent "
    "WHERE n <= ? ORDER BY at"
)


def row_to_job(row: Iterable[Any]) -> Job:
    (
        jid, user, state, request, cost, locale, chat, vendor, task_id, progress,
        error_code, error_text, result_path, result_url, created, updated, deadline, attempt,
        vendor_cost,
        submitted, owner,
    ) = row  # fmt: skip
    return Job(
        id=jid,
        user=UserRef.parse(user),
        state=JobState(state),
        request=request_from_json(json.loads(request)),
        cost=cost,
        locale=locale,
        chat=StoredChat(json.loads(chat)),
        vendor=vendor,
        vendor_task_id=task_id,
        progress=progress,
        error_code=error_code,
        error_text=error_text,
        result_path=result_path,
        result_url=result_url,
        created_at=created,
        updated_at=updated,
        deadline_at=deadline,
        attempt=attempt,
        vendor_cost=vendor_cost,
        submitted_at=submitted,
        owner=owner,
    )


PATCH_COLUMNS = tuple(f.name for f in fields(JobPatch))  # read once: writes are the hot path


def assignments(patch: JobPatch, first: int = 0) -> tuple[str, list[Any]]:
    """`, column = ?` for each column the patch names, and the values to bind; with `first`,
    numbered placeholders from `$first` on (PostgreSQL's)."""
    sets, values = "", list[Any]()
    for column in PATCH_COLUMNS:
        value = getattr(patch, column)
        if value is KEEP:
            continue
        mark = f"${first + len(values)}" if first else "?"
        sets += f", {column} = {mark}"
        values.append(json.dumps(value.to_json()) if column == "chat" else value)
    return sets, values


def new_job_values(
    job: NewJob, paid: tuple[int, int, int], day: str, now: float
) -> tuple[Any, ...]:
    """The values of `NEW_JOB_COLUMNS` for a job being reserved; `paid` is what
    `quota.split_cost` returned (daily, bonus, bought)."""
    return (
        job.id, str(job.user), JobState.QUEUED.value, json.dumps(request_to_json(job.request)),
        job.cost, *paid, day, job.locale, json.dumps(job.chat.to_json()), now, now,
        job.deadline_at,
    )  # fmt: skip


def reserved_job(job: NewJob, now: float) -> Job:
    """The job a reserve has just recorded, as the caller gets it back."""
    return Job(
        id=job.id, user=job.user, state=JobState.QUEUED, request=job.request, cost=job.cost,
        locale=job.locale, chat=job.chat, created_at=now, updated_at=now,
        deadline_at=job.deadline_at,
    )  # fmt: skip


ACCOUNT_COLUMNS = (
    "id, user, state, settled, cost, paid_daily, paid_bonus, quota_day, request, vendor, "
    "vendor_task_id, error_code, paid_purchased"
)


# What `Store.accounts` reads, in one snapshot: every job's payment, the usage, the bonus
# and bought credits.
ACCOUNTS_READS = (
    f"SELECT {ACCOUNT_COLUMNS} FROM jobs",
    "SELECT user, day, used FROM daily_usage",
    "SELECT user, bonus, purchased FROM users",
)


def accounts_from(jobs: Iterable[Any], usage: Iterable[Any], balances: Iterable[Any]) -> Accounts:
    """`Accounts` from the rows of the three `ACCOUNTS_READS`."""
    balances = list(balances)
    return Accounts(
        jobs=[row_to_account(row) for row in jobs],
        usage=[DailyUsage(*row) for row in usage],
        bonuses={str(user): int(bonus) for user, bonus, _ in balances},
        purchased={str(user): int(bought) for user, _, bought in balances},
    )


def balance_from(row: Iterable[Any]) -> Balance:
    """`Balance` from (bonus, bought, banned, used today, active jobs), each NULL when the
    user has no row yet."""
    bonus, bought, banned, used, active = row
    return Balance(
        used_today=used or 0,
        bonus=bonus or 0,
        active=active,
        banned=bool(banned),
        purchased=bought or 0,
    )


def job_ref_query(ref: str, user: UserRef | None) -> tuple[str, list[Any]] | None:
    """The query for the jobs whose id starts with `ref` (what a user types of a job id),
    theirs only when `user` is given; None when `ref` cannot be one. Two rows at most: more
    than one means the prefix is ambiguous."""
    ref = ref.strip().lower()
    if not HEX.match(ref):
        return None
    sql = f"SELECT {JOB_COLUMNS} FROM jobs WHERE id >= ? AND id < ?"
    params: list[Any] = [ref, ref + "g"]
    if user is not None:
        sql += " AND user = ?"
        params.append(str(user))
    return sql + " LIMIT 2", params


def row_to_account(row: Iterable[Any]) -> JobAccount:
    jid, user, state, settled, cost, daily, bonus, day, request, vendor, task, code, bought = row
    return JobAccount(
        id=jid, user=user, state=state, settled=settled, cost=cost, paid_daily=daily,
        paid_bonus=bonus, quota_day=day, request=json.loads(request), vendor=vendor,
        vendor_task_id=task, error_code=code, paid_purchased=bought,
    )  # fmt: skip


def stats_from(counts: dict[str, int], spent: int, users: int, active: int) -> dict[str, int]:
    """`Store.stats` from the job counts per state, the credits charged and the users."""
    return {
        "jobs": sum(counts.values()),
        "delivered": counts.get("delivered", 0),
        "failed": counts.get("failed", 0) + counts.get("cancelled", 0),
        "active": active,
        "spent": int(spent),
        "users": int(users),
    }


# Each user's balance and totals for `Store.users`, in the order of USER_KEYS.
USERS_REPORT = (
    "SELECT u.user, u.bonus, u.banned, COALESCE(d.used, 0), "
    "(SELECT COUNT(*) FROM jobs j WHERE j.user = u.user), "
    "(SELECT COUNT(*) FROM jobs j WHERE j.user = u.user AND j.state = 'delivered'), "
    "(SELECT COALESCE(SUM(amount), 0) FROM ledger l "
    " WHERE l.user = u.user AND l.kind = 'charge') "
    "FROM users u LEFT JOIN daily_usage d ON d.user = u.user AND d.day = ? ORDER BY u.user"
)
USER_KEYS = ("user", "bonus", "banned", "used_today", "jobs", "delivered", "spent")
