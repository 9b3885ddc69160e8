"""Recent render times per vendor and model in SQLite, for the queue's estimates."""

from __future__ import annotations

import sqlite3

from bot.storage.batching import Batcher
from bot.storage.render_types import RenderSample
from bot.storage.rows import RENDER_HISTORY, RENDER_INSERT, RENDER_TRIM


class RenderTimes(Batcher):
    """The store's room for render times: a few dozen rows per vendor and model."""

    async def record_render(self, sample: RenderSample, keep: int) -> None:
        def record(db: sqlite3.Connection) -> None:
            db.execute(RENDER_INSERT, (sample.vendor, sample.model, sample.at, sample.seconds))
            db.execute(
                RENDER_TRIM, (sample.vendor, sample.model, sample.vendor, sample.model, keep - 1)
            )

        await self._transaction(record)

    async def render_history(self, keep: int) -> list[RenderSample]:
        rows = await self._all(RENDER_HISTORY, (keep,))
        return [RenderSample(vendor, model, seconds, at) for vendor, model, seconds, at in rows]
