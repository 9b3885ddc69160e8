"""Vendor call latency for the metrics: a client wrapper that times `submit` and `poll`.

It wraps rather than patches: the client stays as it was, and the engine is handed the
wrapper, which declares and answers everything as its client does (`DelegatingClient`).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator

from prometheus_client import Histogram

from bot.errors import VendorError
from bot.models import TaskState, TaskStatus, VideoRequest
from bot.vendors.base import VendorClient
from bot.vendors.delegate import DelegatingClient


@contextlib.contextmanager
def timed(histogram: Histogram, vendor_id: str) -> Iterator[None]:
    """Observe the block's duration under outcome `ok` or the VendorError's code; a cancelled
    call (shutdown) is not a vendor's latency and is not observed."""
    start = time.perf_counter()
    outcome = "error"
    try:
        yield
        outcome = "ok"
    except VendorError as exc:
        outcome = exc.code
        raise
    except asyncio.CancelledError:
        outcome = ""
        raise
    finally:
        if outcome:
            histogram.labels(vendor_id, outcome).observe(time.perf_counter() - start)


class TimedClient(DelegatingClient):
    """Times its client's submits and polls; tells `on_succeeded(vendor, task)` when a poll
    first sees a task succeed (where the delivery lag starts)."""

    def __init__(
        self,
        inner: VendorClient,
        *,
        submit_seconds: Histogram,
        poll_seconds: Histogram,
        on_succeeded: Callable[[str, str], None],
    ) -> None:
        super().__init__(inner)
        self.submit_seconds = submit_seconds
        self.poll_seconds = poll_seconds
        self.on_succeeded = on_succeeded

    async def submit(
        self, req: VideoRequest, *, idempotency_key: str, callback_url: str | None = None
    ) -> str:
        with timed(self.submit_seconds, self.id):
            return await super().submit(
                req, idempotency_key=idempotency_key, callback_url=callback_url
            )

    async def poll(self, task_id: str) -> TaskState:
        with timed(self.poll_seconds, self.id):
            state = await super().poll(task_id)
        if state.status is TaskStatus.SUCCEEDED:
            self.on_succeeded(self.id, task_id)
        return state
