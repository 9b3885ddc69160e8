"""The spend report's SQL, both backends alike: settled jobs' money grouped by columns
(`postgres.dialect.pg` numbers the placeholders and quotes `user`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.storage.base import SpendLine

# A report's grouping -> the job column it reads (a fixed list: never text from outside).
SPEND_GROUPS = {"vendor": "vendor", "model": "spend_model", "user": "user", "chat": "chat"}


def spend_query(by: Sequence[str]) -> str:
    """Jobs and USD spent from `?` (spent_at) on, grouped by `by`; KeyError for an unknown
    grouping."""
    columns = [f"COALESCE({SPEND_GROUPS[name]}, '')" for name in by]
    keys = ", ".join(columns)
    select = f"{keys}, " if columns else ""
    group = f" GROUP BY {keys} ORDER BY {keys}" if columns else ""
    return (
        f"SELECT {select}COUNT(*), COALESCE(SUM(spend_usd), 0) FROM jobs "
        f"WHERE spent_at IS NOT NULL AND spent_at >= ?{group}"
    )


def spend_lines(rows: Sequence[Sequence[Any]]) -> list[SpendLine]:
    return [
        SpendLine(tuple(str(c) for c in row[:-2]), int(row[-2]), float(row[-1])) for row in rows
    ]
