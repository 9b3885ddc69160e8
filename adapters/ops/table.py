"""The admin commands' plain-text tables: columns padded to their widest cell, each cell made
safe for a terminal first (users typed some of it: prompts, names).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TextIO

from adapters.terminal import for_terminal


def print_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], out: TextIO, empty: str
) -> None:
    """`rows` under `header`, or the line `empty` when there are none."""
    if not rows:
        print(empty, file=out)
        return
    rows = [[for_terminal(cell) for cell in row] for row in rows]  # users typed some of it
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    for line in (header, *rows):
        print(
            "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip(),
            file=out,
        )


def utc_time(ts: float) -> str:
    """A timestamp as the tables show it: UTC, to the second, no zone suffix."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S")


def clip(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis, so a row stays one."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
