"""Stored settings and the audit log in SQLite (see settings_sql)."""

from __future__ import annotations

import sqlite3

from bot.storage import settings_sql as sql
from bot.storage.batching import Batcher, Kind
from bot.storage.settings_types import AuditEntry


class SettingsOps(Batcher):
    async def record_audit(self, entry: AuditEntry) -> None:
        await self._write(sql.AUDIT_INSERT, sql.audit_params(entry))

    async def audit_log(
        self, since: float, actor: str | None = None, limit: int = 1000
    ) -> list[AuditEntry]:
        query, params = sql.audit_query(since, actor, limit)
        return [sql.audit_entry(row) for row in await self._all(query, params)]

    async def settings_version(self) -> int:
        row = await self._one(sql.VERSION)
        return int(row[0]) if row else 0

    async def stored_settings(self) -> dict[str, str]:
        return {str(name): str(value) for name, value in await self._all(sql.STORED)}

    async def put_setting(self, name: str, value: str | None, entry: AuditEntry) -> int:
        def put(db: sqlite3.Connection) -> int:
            db.execute(*sql.put(name, value, entry))
            db.execute(sql.BUMP)
            db.execute(sql.AUDIT_INSERT, sql.audit_params(entry))
            return int(db.execute(sql.VERSION).fetchone()[0])

        return await self._call(put, Kind.TRANSACTION)
