"""How jobs are laid out in SQLite: the job columns, row -> `Job`, and `UPDATE` assignments."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import fields
from typing import Any

from bot.chat import StoredChat
from bot.job_request import request_from_json
from bot.models import Job, JobState, UserRef
from bot.storage.base import KEEP, JobPatch

JOB_COLUMNS = (
    "id, user, state, request, cost, locale, chat, vendor, vendor_task_id, progress, "
    "error_code, error_text, result_path, result_url, created_at, updated_at, deadline_at, "
    "attempt, vendor_cost"
)
LEDGER_INSERT = (
    "INSERT INTO ledger (at, user, job_id, kind, amount, note) VALUES (?, ?, ?, ?, ?, ?)"
)


def row_to_job(row: Iterable[Any]) -> Job:
    (
        jid, user, state, request, cost, locale, chat, vendor, task_id, progress,
        error_code, error_text, result_path, result_url, created, updated, deadline, attempt,
        vendor_cost,
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
    )


def marks(items: Sequence[Any]) -> str:
    return ",".join("?" * len(items))


PATCH_COLUMNS = tuple(f.name for f in fields(JobPatch))  # read once: writes are the hot path


def assignments(patch: JobPatch) -> tuple[str, list[Any]]:
    """`, column = ?` for each column the patch names, and the values to bind."""
    sets, values = "", []
    for column in PATCH_COLUMNS:
        value = getattr(patch, column)
        if value is KEEP:
            continue
        sets += f", {column} = ?"
        values.append(json.dumps(value.to_json()) if column == "chat" else value)
    return sets, values
