"""Operator alerts in SQLite (see alerts_sql)."""

from __future__ import annotations

from bot.storage import alerts_sql
from bot.storage.batching import Batcher


class Alerts(Batcher):
    async def set_alert(self, name: str, active: bool, now: float) -> bool:
        sql, params = alerts_sql.change(name, active, now)
        return await self._write(sql, params) > 0

    async def active_alerts(self) -> list[str]:
        return [str(name) for (name,) in await self._all(alerts_sql.ACTIVE)]
