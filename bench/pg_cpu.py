"""The CPU a PostgreSQL server on this machine spends on one database: the backends serving
it and the server's own writers (WAL writer, checkpointer, background writer), from /proc
like every CPU figure of the benchmarks. Processes are told apart by the titles PostgreSQL
gives them ("postgres: [cluster:] user database host(port) state"). Other databases'
backends are left out, so other work on a shared server does not count; its writers serve
every database, so their share is an upper bound."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from bench.common import cpu_seconds

SERVER_WRITERS = ("walwriter", "checkpointer", "background writer")


def server_processes(database: str) -> list[int]:
    """The pids of `database`'s backends and of the server's writers."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            title = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except (OSError, UnicodeDecodeError):  # ended meanwhile, or not ours to read
            continue
        if not title.startswith("postgres: "):
            continue
        if title.endswith(SERVER_WRITERS) or database in title.split()[2:]:
            found.append(int(proc.name))
    return found


class PgCpuMeter:
    """CPU seconds of the server's processes for one database between `start` and `stop`.
    Backends are found at both ends: one started meanwhile counts from zero, one ended
    meanwhile is lost (so connect the clients first: pools filled before `start`)."""

    def __init__(self, url: str) -> None:
        self.database = urlsplit(url).path.lstrip("/")
        self._start: dict[int, float] = {}
        self.seconds = 0.0

    def start(self) -> PgCpuMeter:
        self._start = _cpu_of(server_processes(self.database))
        return self

    def stop(self) -> float | None:
        """The CPU seconds; None when the server's processes are not on this machine."""
        now = _cpu_of(server_processes(self.database))
        self.seconds = sum(cpu - self._start.get(pid, 0.0) for pid, cpu in now.items())
        return self.seconds if now else None


def _cpu_of(pids: list[int]) -> dict[int, float]:
    found: dict[int, float] = {}
    for pid in pids:
        try:
            found[pid] = cpu_seconds(pid)
        except OSError:  # ended meanwhile
            continue
    return found
