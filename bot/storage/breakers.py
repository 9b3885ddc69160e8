"""Vendor breakers in SQLite (see breakers_sql)."""

from __future__ import annotations

from bot.storage import breakers_sql as sql
from bot.storage.batching import Batcher
from bot.storage.breaker_types import BreakerState


class VendorBreakers(Batcher):
    async def breaker_states(self) -> list[BreakerState]:
        return sql.states(await self._all(sql.ALL))

    async def set_breaker_open(self, vendor: str, until: float, now: float) -> None:
        await self._write(sql.SET_OPEN, (vendor, until, now))

    async def hold_vendor(self, vendor: str, reason: str, now: float) -> bool:
        return await self._write(sql.HOLD, (vendor, reason, now)) > 0

    async def release_vendor(self, vendor: str, now: float) -> bool:
        return await self._write(sql.RELEASE, (now, vendor)) > 0
