"""Small pieces every benchmark shares: process figures from /proc, percentiles, output.

Figures are measured, never estimated: peak RSS is the kernel's high-water mark (VmHWM),
CPU is user+system time from /proc/<pid>/stat, so a benchmark can watch another process
as well as itself.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes(pid: int | None = None) -> int:
    """Current resident set size."""
    with open(f"/proc/{pid or os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * PAGE


def peak_rss_bytes(pid: int | None = None) -> int:
    """The kernel's RSS high-water mark (VmHWM) for the process."""
    with open(f"/proc/{pid or os.getpid()}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def reset_peak_rss(pid: int | None = None) -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False where not allowed."""
    try:
        with open(f"/proc/{pid or os.getpid()}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU seconds the process (all its threads) has used."""
    with open(f"/proc/{pid or os.getpid()}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


@dataclass
class CpuMeter:
    """Average cores used by a process between `start()` and `stop()`."""

    pid: int | None = None
    _cpu0: float = 0.0
    _t0: float = 0.0
    cores: float = 0.0
    seconds: float = 0.0

    def start(self) -> CpuMeter:
        self._cpu0, self._t0 = cpu_seconds(self.pid), time.monotonic()
        return self

    def stop(self) -> float:
        self.seconds = time.monotonic() - self._t0
        used = cpu_seconds(self.pid) - self._cpu0
        self.cores = used / self.seconds if self.seconds > 0 else 0.0
        return self.cores


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summary(values: Sequence[float]) -> dict[str, float]:
    return {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "max": max(values) if values else math.nan,
    }


def mb(n: float) -> float:
    return round(n / 1024 / 1024, 1)


def fmt(value: Any) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def table(rows: Iterable[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """A GitHub-style table of `rows` (dicts), columns in first-seen order by default."""
    rows = list(rows)
    if not rows:
        return "(no rows)"
    cols = list(columns or dict.fromkeys(k for r in rows for k in r))
    cells = [[fmt(r.get(c, "")) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    line = "| " + " | ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = [
        "| " + " | ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)) + " |"
        for row in cells
    ]
    return "\n".join([line, rule, *body])


def report(title: str, rows: list[dict[str, Any]], extra: dict[str, Any] | None = None) -> None:
    """Print the table, then one JSON document (the line starting with `JSON `)."""
    print(f"\n## {title}\n")
    print(table(rows))
    doc = {"benchmark": title, "rows": rows, **(extra or {})}
    print("\nJSON " + json.dumps(clean(doc), default=_json_default, allow_nan=False))
    sys.stdout.flush()


def _json_default(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def clean(value: Any) -> Any:
    """NaN -> None everywhere, so the JSON stays standard."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value
