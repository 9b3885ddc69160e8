"""How jobs are laid out in SQLite: the job columns, row -> `Job`, and `UPDATE` assignments."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from bot.chat import StoredChat
from bot.job_request import request_from_json
from bot.models import Job, JobState, UserRef

JOB_COLUMNS = (
    "id, user, state, request, cost, locale, chat, vendor, vendor_task_id, progress, "
    "error_code, error_text, result_path, result_url, created_at, updated_at, deadline_at, attempt"
)
UPDATABLE = {
    "vendor",
    "vendor_task_id",
    "idempotency_key",
    "progress",
    "error_code",
    "error_text",
    "result_path",
    "result_url",
    "chat",
    "attempt",
    "deadline_at",
    "delivered_at",
    "notice",
}
LEDGER_INSERT = (
    "INSERT INTO ledger (at, user, job_id, kind, amount, note) VALUES (?, ?, ?, ?, ?, ?)"
)


def row_to_job(row: Iterable[Any]) -> Job:
    (
        jid, user, state, request, cost, locale, chat, vendor, task_id, progress,
        error_code, error_text, result_path, result_url, created, updated, deadline, attempt,
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
    )


def marks(items: tuple[Any, ...]) -> str:
    return ",".join("?" * len(items))


def assignments(fields: dict[str, Any]) -> tuple[str, list[Any]]:
    """`, key = ?` for each field (only those a job may change) and the values to bind."""
    parts, values = [], []
    for key, value in fields.items():
        if key not in UPDATABLE:
            raise ValueError(f"not an updatable job field: {key}")
        parts.append(f"{key} = ?")
        values.append(json.dumps(value) if key == "chat" else value)
    return "".join(f", {p}" for p in parts), values
