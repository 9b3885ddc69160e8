"""Runway's task JSON (the GET answer and openai-hk's callback body), read into a TaskState.

The status words and failure codes are vendor-contracts §2.6; the resellers that mirror the
protocol send the same shape.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.errors import UnknownOutcome
from bot.models import TaskState, TaskStatus

log = logging.getLogger(__name__)

_STATUS = {
    "PENDING": TaskStatus.QUEUED,
    "THROTTLED": TaskStatus.QUEUED,  # over the org's concurrency limit: stored, not refused
    "RUNNING": TaskStatus.RUNNING,
    "SUCCEEDED": TaskStatus.SUCCEEDED,
    "FAILED": TaskStatus.FAILED,
    "CANCELLED": TaskStatus.CANCELLED,
}

# failureCode prefixes that mean the content was refused (§2.6); never retried.
_MODERATION_CODES = ("SAFETY.", "INPUT_PREPROCESSING.SAFETY.")


def parse_task(body: Any, vendor: str) -> TaskState | None:
    """Normalise one task JSON (GET answer or callback); None when it is not a task."""
    if not isinstance(body, dict) or not isinstance(body.get("status"), str):
        return None
    raw = body["status"]
    status = _STATUS.get(raw.strip().upper())
    if status is None:
        # Unknown words are non-terminal on purpose: the deadline ends a stuck task, a guess
        # that it failed would refund a video the vendor may still deliver.
        log.warning(
            "%s task %s: unknown status %r, treating as running", vendor, body.get("id"), raw
        )
        status = TaskStatus.RUNNING
    state = TaskState(status=status, raw_status=raw)
    progress = body.get("progress")
    if isinstance(progress, int | float) and not isinstance(progress, bool):
        state.progress = min(1.0, max(0.0, float(progress)))
    output = body.get("output")
    if isinstance(output, str):
        output = [output]
    if isinstance(output, list):
        state.video_urls = [u for u in output if isinstance(u, str) and u]
    state.vendor_cost = _credits(body, "cost" if status.terminal else "estimatedCost")
    if status is TaskStatus.SUCCEEDED:
        state.progress = 1.0
    if status is TaskStatus.FAILED:
        failure = body.get("failure")
        code = body.get("failureCode")
        state.failure = failure if isinstance(failure, str) else None
        state.failure_code = code if isinstance(code, str) else None
        state.moderated = bool(state.failure_code) and str(state.failure_code).upper().startswith(
            _MODERATION_CODES
        )
    return state


def _credits(body: dict[str, Any], key: str) -> float | None:
    """`{key: {"credits": n}}` (Runway's estimatedCost while running, cost once ended)."""
    value = body.get(key)
    credits = value.get("credits") if isinstance(value, dict) else None
    if isinstance(credits, int | float) and not isinstance(credits, bool) and credits >= 0:
        return float(credits)
    return None


def task_id_of(answer: Any, vendor: str) -> str:
    """The task id of a create answer; UnknownOutcome when it has none (a task may exist)."""
    task_id = answer.get("id") if isinstance(answer, dict) else None
    if not isinstance(task_id, str) or not task_id:
        raise UnknownOutcome("create answered without a task id", status=200, vendor=vendor)
    return task_id
