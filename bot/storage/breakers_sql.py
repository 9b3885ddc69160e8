"""The vendor breakers' SQL, both backends alike (`postgres.dialect.pg` numbers the
placeholders). A hold changes the row only when the vendor was not held, so the rows it
changed say whether this caller is the one to tell the admins; an open or a close written
late (an older `changed_at`) does not undo a newer change."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bot.storage.breaker_types import BreakerState

SET_OPEN = (
    "INSERT INTO vendor_breakers (vendor, open_until, changed_at) VALUES (?, ?, ?) "
    "ON CONFLICT (vendor) DO UPDATE SET open_until = excluded.open_until, "
    "changed_at = excluded.changed_at WHERE vendor_breakers.changed_at <= excluded.changed_at"
)
HOLD = (
    "INSERT INTO vendor_breakers (vendor, open_until, held, changed_at) VALUES (?, 0, ?, ?) "
    "ON CONFLICT (vendor) DO UPDATE SET held = excluded.held, changed_at = excluded.changed_at "
    "WHERE vendor_breakers.held IS NULL"
)
RELEASE = (
    "UPDATE vendor_breakers SET open_until = 0, held = NULL, changed_at = ? "
    "WHERE vendor = ? AND (held IS NOT NULL OR open_until > 0)"
)
ALL = "SELECT vendor, open_until, held, changed_at FROM vendor_breakers ORDER BY vendor"


def states(rows: Iterable[Sequence[Any]]) -> list[BreakerState]:
    return [
        BreakerState(str(vendor), float(until), None if held is None else str(held), float(at))
        for vendor, until, held, at in rows
    ]
