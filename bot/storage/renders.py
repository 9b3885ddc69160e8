"""Recent render times per vendor and model in SQLite, for the queue's estimates."""

from __future__ import annotations

import sqlite3

from bot.storage.base import RenderSample
from bot.storage.batching import Batcher


class RenderTimes(Batcher):
    """The store's room for render times: a few dozen rows per vendor and model."""

    async def record_render(self, sample: RenderSample, keep: int) -> None:
        def record(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT INTO render_times (vendor, model, at, seconds) VALUES (?, ?, ?, ?)",
                (sample.vendor, sample.model, sample.at, sample.seconds),
            )
            db.execute(
                "DELETE FROM render_times WHERE vendor = ? AND model = ? AND at < ("
                "SELECT at FROM render_times WHERE vendor = ? AND model = ? "
                "ORDER BY at DESC LIMIT 1 OFFSET ?)",
                (sample.vendor, sample.model, sample.vendor, sample.model, keep - 1),
            )

        await self._transaction(record)

    async def render_history(self, keep: int) -> list[RenderSample]:
        rows = await self._all(
            "SELECT vendor, model, seconds, at FROM (SELECT *, ROW_NUMBER() OVER "
            "(PARTITION BY vendor, model ORDER BY at DESC) AS n FROM render_times) "
            "WHERE n <= ? ORDER BY at",
            (keep,),
        )
        return [RenderSample(vendor, model, seconds, at) for vendor, model, seconds, at in rows]
