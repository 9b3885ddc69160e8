"""Stored settings and the audit log in PostgreSQL (see bot/storage/settings_sql). Two
changes at once queue on the version row's lock, so each gets a version of its own."""

from __future__ import annotations

from typing import Any

from bot.storage import settings_sql as sql
from bot.storage.postgres.connection import PgBase
from bot.storage.postgres.dialect import pg
from bot.storage.settings_types import AuditEntry


class PgSettings(PgBase):
    async def record_audit(self, entry: AuditEntry) -> None:
        await self._execute(pg(sql.AUDIT_INSERT), *sql.audit_params(entry))

    async def audit_log(
        self, since: float, actor: str | None = None, limit: int = 1000
    ) -> list[AuditEntry]:
        query, params = sql.audit_query(since, actor, limit)
        return [sql.audit_entry(row) for row in await self._fetch(pg(query), *params)]

    async def settings_version(self) -> int:
        row = await self._fetchrow(sql.VERSION)
        return int(row[0]) if row else 0

    async def stored_settings(self) -> dict[str, str]:
        return {str(name): str(value) for name, value in await self._fetch(sql.STORED)}

    async def put_setting(self, name: str, value: str | None, entry: AuditEntry) -> int:
        async def put(db: Any) -> int:
            statement, params = sql.put(name, value, entry)
            await db.execute(pg(statement), *params)
            version = await db.fetchval(sql.BUMP + " RETURNING version")
            await db.execute(pg(sql.AUDIT_INSERT), *sql.audit_params(entry))
            return int(version)

        return await self._transaction(put)
