"""Job events, and the interface an adapter implements to receive them and the videos."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from bot.models import Job


class EventKind(StrEnum):
    ACCEPTED = "accepted"  # a vendor took the job
    PROGRESS = "progress"  # queued/running with progress, as the vendor reports
    DELIVERING = "delivering"  # downloaded; about to hand the file over
    FINISHED = "finished"  # delivered and charged
    FAILED = "failed"  # failed, cancelled or timed out; refunded


@dataclass(frozen=True, slots=True)
class JobEvent:
    kind: EventKind
    job: Job
    text: str  # the localised status line or failure message for the user
    progress: float | None = None
    # FAILED only: the refund notice stays pending in the store until `seen` is awaited,
    # and is sent again after a restart (with `replayed` set) if it never was.
    seen: Callable[[], Coroutine[Any, Any, None]] | None = None
    replayed: bool = False


class DeliveryError(Exception):
    """Raised by a sink that could not deliver. `permanent` stops retries (and refunds)."""

    def __init__(self, message: str, *, permanent: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


class JobSink(Protocol):
    """What an adapter gives the engine for its platform."""

    # Keep the finished file after delivery (the console prints its path).
    keep_files: bool
    # True: the sink awaits `event.seen` itself once a FAILED text has reached the chat (it
    # shows it in the background). False or absent: the engine does so when on_event returns.
    acks_notices: bool

    async def on_event(self, event: JobEvent) -> None:
        """Update the chat; best effort, errors are logged and ignored."""

    async def deliver(self, job: Job, video: Path, caption: str) -> None:
        """Send the finished video; raise DeliveryError when it could not be sent."""

    # Optional: `async def tell(self, user: UserRef, text: str) -> None` messages one user
    # directly; the engine uses it to tell the admins that a vendor needs the operator.
