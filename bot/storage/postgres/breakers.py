"""Vendor breakers in PostgreSQL (see bot/storage/breakers_sql)."""

from __future__ import annotations

from bot.storage import breakers_sql as sql
from bot.storage.breaker_types import BreakerState
from bot.storage.postgres.connection import PgBase
from bot.storage.postgres.dialect import pg


class PgVendorBreakers(PgBase):
    async def breaker_states(self) -> list[BreakerState]:
        return sql.states(await self._fetch(sql.ALL))

    async def set_breaker_open(self, vendor: str, until: float, now: float) -> None:
        await self._execute(pg(sql.SET_OPEN), vendor, until, now)

    async def hold_vendor(self, vendor: str, reason: str, now: float) -> bool:
        return await self._execute(pg(sql.HOLD), vendor, reason, now) > 0

    async def release_vendor(self, vendor: str, now: float) -> bool:
        return await self._execute(pg(sql.RELEASE), now, vendor) > 0
