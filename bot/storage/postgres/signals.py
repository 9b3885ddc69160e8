"""Signals between the processes sharing a PostgreSQL database (see lease_types.JobSignal):
NOTIFY on one channel, heard on a connection of its own that LISTENs (a pooled one would be
given back, and its LISTEN with it)."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from typing import Any

import asyncpg

from bot.storage.lease_types import JobSignal
from bot.storage.postgres.connection import CONNECT_TIMEOUT, PgBase

CHANNEL = "videobot_jobs"
log = logging.getLogger("videobot.store")


class PgSignals(PgBase):
    listener: Any = None  # the LISTENing connection, once `listen` was called

    async def signal(self, signal: JobSignal) -> None:
        payload = json.dumps(dataclasses.asdict(signal))
        await self._execute("SELECT pg_notify($1, $2)", CHANNEL, payload)

    async def listen(self, on_signal: Callable[[JobSignal], None]) -> bool:
        def heard(_db: Any, _pid: int, _channel: str, payload: str) -> None:
            try:
                signal = JobSignal(**json.loads(payload))
            except (ValueError, TypeError):
                log.warning("ignored a malformed job signal: %.200r", payload)
                return
            on_signal(signal)

        def lost(db: Any) -> None:
            if db is self.listener:  # not closed by `stop_listening`
                log.error("the connection hearing job signals closed; sweeps act instead")

        try:
            db = await asyncpg.connect(self.url, timeout=CONNECT_TIMEOUT)
            await db.add_listener(CHANNEL, heard)
            db.add_termination_listener(lost)
        except Exception as exc:
            raise self.failure(exc) from None
        await self.stop_listening()
        self.listener = db
        return True

    async def stop_listening(self) -> None:
        db, self.listener = self.listener, None
        if db is not None and not db.is_closed():
            await db.close()
