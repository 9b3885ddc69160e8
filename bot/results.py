"""Kept results: delivered videos stay under the data folder for RESULT_RETENTION_DAYS, so
/show can send them again and Again, Extend and Upscale can build on them after the
vendor's link expired.

A kept video is `<data>/results/<job id>.mp4`; the job's `result_path` names it. Its age is
the file's modification time (set when it is kept), so pruning needs no database: a file
past retention is deleted, and a job whose file is gone is "no longer kept".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("videobot.results")

PRUNE_EVERY = 3600.0  # seconds between two sweeps of the kept results
DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class Usage:
    """What the kept results hold on disk, for `videobot doctor`."""

    files: int
    bytes: int


def kept_path(results_dir: Path, job_id: str) -> Path:
    return results_dir / f"{job_id}.mp4"


def _keep(source: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, dest)  # same file system: the data folder holds both
    os.utime(dest)  # its age counts from delivery


async def keep(source: Path, results_dir: Path, job_id: str) -> Path | None:
    """Move a downloaded result into the kept results; None (file left where it is) when
    the disk refuses, since keeping is a convenience and the delivery goes on."""
    dest = kept_path(results_dir, job_id)
    if source == dest:
        return dest
    try:
        await asyncio.to_thread(_keep, source, dest)
    except OSError as exc:
        log.warning("job %s: cannot keep the result: %s", job_id, exc)
        return None
    return dest


def _prune(results_dir: Path, before: float) -> int:
    removed = 0
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(results_dir):
            with contextlib.suppress(OSError):
                if entry.is_file() and entry.stat().st_mtime < before:
                    os.unlink(entry.path)
                    removed += 1
    return removed


async def prune(results_dir: Path, days: float, now: float | None = None) -> int:
    """Delete the kept results older than `days`; how many went."""
    before = (time.time() if now is None else now) - days * DAY
    return await asyncio.to_thread(_prune, results_dir, before)


async def prune_forever(results_dir: Path, days: float, every: float = PRUNE_EVERY) -> None:
    """Sweep the kept results every `every` seconds while the bot runs."""
    while True:
        removed = await prune(results_dir, days)
        if removed:
            log.info("pruned %d kept result(s) older than %g day(s)", removed, days)
        await asyncio.sleep(every)


def usage(results_dir: Path) -> Usage:
    """How many kept results there are and their size in bytes (blocking: call in a thread
    or a command-line tool)."""
    files = size = 0
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(results_dir):
            with contextlib.suppress(OSError):
                if entry.is_file():
                    files += 1
                    size += entry.stat().st_size
    return Usage(files, size)


def is_kept(path: str | None) -> bool:
    """Whether a job's result file can still be read (blocking)."""
    return bool(path) and Path(path or "").is_file()
