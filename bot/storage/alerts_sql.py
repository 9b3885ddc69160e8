"""The operator alerts' SQL, both backends alike (`postgres.dialect.pg` numbers the
placeholders): each statement changes a row only when the alert's state changes, so the
rows it changed say whether this caller is the one to announce it."""

from __future__ import annotations

RAISE = (
    "INSERT INTO alerts (name, active, at) VALUES (?, 1, ?) "
    "ON CONFLICT (name) DO UPDATE SET active = 1, at = excluded.at WHERE alerts.active = 0"
)
CLEAR = "UPDATE alerts SET active = 0, at = ? WHERE name = ? AND active = 1"
ACTIVE = "SELECT name FROM alerts WHERE active = 1 ORDER BY name"


def change(name: str, active: bool, now: float) -> tuple[str, tuple[object, ...]]:
    """The statement and its parameters that raise or clear `name`."""
    return (RAISE, (name, now)) if active else (CLEAR, (now, name))
