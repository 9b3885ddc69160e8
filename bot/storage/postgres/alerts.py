"""Operator alerts in PostgreSQL (see bot/storage/alerts_sql)."""

from __future__ import annotations

from bot.storage import alerts_sql
from bot.storage.postgres.connection import PgBase
from bot.storage.postgres.dialect import pg


class PgAlerts(PgBase):
    async def set_alert(self, name: str, active: bool, now: float) -> bool:
        sql, params = alerts_sql.change(name, active, now)
        return await self._execute(pg(sql), *params) > 0

    async def active_alerts(self) -> list[str]:
        return [str(name) for (name,) in await self._fetch(alerts_sql.ACTIVE)]
