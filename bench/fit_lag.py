"""Re-encode lag: how long the event loop stalls while a result is re-encoded to fit.

A noisy, losslessly coded video (about 14 MB at the defaults: 320x224, 5 s, 25 fps) is
re-encoded under a 10 MiB limit by `bot.fit.fit`, the path a delivery takes. Meanwhile a
ticker task sleeps 10 ms at a time and records how late each wake-up is: the loop's lag.
The promise is that ffmpeg runs outside the loop, so the worst lag stays well under 100 ms.

    .venv/bin/python -m bench.fit_lag [--size 320x224] [--seconds 5] [--limit-mib 10]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import report
from bot import fit
from tests.helpers import noise_mp4

TICK = 0.01  # seconds the ticker sleeps between two lag samples


async def _ticker(lags: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        asked = time.perf_counter()
        await asyncio.sleep(TICK)
        lags.append(time.perf_counter() - asked - TICK)


async def run(size: str = "320x224", seconds: float = 5, limit_mib: float = 10) -> dict[str, Any]:
    """One re-encode under the ticker: sizes, time taken and the loop's lag in ms."""
    with tempfile.TemporaryDirectory(prefix="fit-lag-") as folder:
        work = Path(folder)
        source = work / "source.mp4"
        original = await asyncio.to_thread(noise_mp4, source, size, seconds)
        limit = int(limit_mib * 1024 * 1024)
        lags: list[float] = []
        stop = asyncio.Event()
        ticker = asyncio.create_task(_ticker(lags, stop))
        began = time.perf_counter()
        out = await fit.fit(source, limit, work / "fit")
        took = time.perf_counter() - began
        stop.set()
        await ticker
        fitted = out.stat().st_size if out is not None else None
    return {
        "source_mb": round(len(original) / 1e6, 2),
        "limit_mb": round(limit / 1e6, 2),
        "fitted_mb": round(fitted / 1e6, 2) if fitted is not None else None,
        "seconds": round(took, 2),
        "lag_samples": len(lags),
        "lag_p50_ms": round(statistics.median(lags) * 1000, 2) if lags else None,
        "lag_max_ms": round(max(lags) * 1000, 2) if lags else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="320x224")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--limit-mib", type=float, default=10)
    args = parser.parse_args()
    row = asyncio.run(run(args.size, args.seconds, args.limit_mib))
    report("Re-encode lag: the event loop while a result is re-encoded to fit", [row])


if __name__ == "__main__":
    main()
