"""The SQL of stored settings and the audit log, both backends alike (`postgres.dialect.pg`
numbers the placeholders)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.storage.settings_types import AuditEntry

# Migration: the settings changed at run time, a version every change raises (read before
# each command, so every process sharing the database sees a change at once), and the log
# of operator actions.
SETTINGS_AND_AUDIT = """
    CREATE TABLE settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        at REAL NOT NULL,
        actor TEXT NOT NULL
    );
    CREATE TABLE settings_version (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL
    );
    INSERT INTO settings_version (id, version) VALUES (1, 0);
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at REAL NOT NULL,
        actor TEXT NOT NULL,
        source TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        old_value TEXT NOT NULL DEFAULT '',
        new_value TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX audit_log_at ON audit_log (at);
"""

AUDIT_INSERT = (
    "INSERT INTO audit_log (at, actor, source, action, target, old_value, new_value, note) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_AUDIT_COLUMNS = "id, at, actor, source, action, target, old_value, new_value, note"
AUDIT_SINCE = f"SELECT {_AUDIT_COLUMNS} FROM audit_log WHERE at >= ? ORDER BY id DESC LIMIT ?"
AUDIT_SINCE_BY = (
    f"SELECT {_AUDIT_COLUMNS} FROM audit_log WHERE at >= ? AND actor = ? ORDER BY id DESC LIMIT ?"
)
VERSION = "SELECT version FROM settings_version WHERE id = 1"
BUMP = (  # an upsert: a database emptied table by table (tests, copy-db) has no row yet
    "INSERT INTO settings_version (id, version) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET version = settings_version.version + 1"
)
STORED = "SELECT name, value FROM settings"
PUT = (
    "INSERT INTO settings (name, value, at, actor) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (name) DO UPDATE SET value = excluded.value, at = excluded.at, "
    "actor = excluded.actor"
)
FORGET = "DELETE FROM settings WHERE name = ?"


def audit_params(e: AuditEntry) -> tuple[object, ...]:
    return (e.at, e.actor, e.source, e.action, e.target, e.before, e.after, e.note)


def audit_query(since: float, actor: str | None, limit: int) -> tuple[str, tuple[object, ...]]:
    if actor is None:
        return AUDIT_SINCE, (since, limit)
    return AUDIT_SINCE_BY, (since, actor, limit)


def audit_entry(row: Sequence[Any]) -> AuditEntry:
    i, at, actor, source, action, target, before, after, note = row
    return AuditEntry(
        at=float(at), actor=str(actor), source=str(source), action=str(action),
        target=str(target), before=str(before), after=str(after), note=str(note), id=int(i),
    )  # fmt: skip


def put(name: str, value: str | None, entry: AuditEntry) -> tuple[str, tuple[object, ...]]:
    """The statement that stores or forgets `name`."""
    if value is None:
        return FORGET, (name,)
    return PUT, (name, value, entry.at, entry.actor)
