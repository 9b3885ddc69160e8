"""Recent render times per vendor and model in PostgreSQL, for the queue's estimates."""

from __future__ import annotations

from typing import Any

from bot.storage.postgres.connection import PgBase
from bot.storage.postgres.dialect import pg
from bot.storage.render_types import RenderSample
from bot.storage.rows import RENDER_HISTORY, RENDER_INSERT, RENDER_TRIM


class PgRenderTimes(PgBase):
    """The store's room for render times: a few dozen rows per vendor and model. No money
    moves here, so no row is locked: two samples recorded at once may leave one more than
    `keep` until the next."""

    async def record_render(self, sample: RenderSample, keep: int) -> None:
        async def record(db: Any) -> None:
            await db.execute(
                pg(RENDER_INSERT), sample.vendor, sample.model, sample.at, sample.seconds
            )
            await db.execute(
                pg(RENDER_TRIM), sample.vendor, sample.model, sample.vendor, sample.model, keep - 1
            )

        await self._transaction(record)

    async def render_history(self, keep: int) -> list[RenderSample]:
        rows = await self._fetch(pg(RENDER_HISTORY), keep)
        return [RenderSample(vendor, model, seconds, at) for vendor, model, seconds, at in rows]
