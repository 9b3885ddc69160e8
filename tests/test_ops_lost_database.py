"""A database file deleted or replaced under the running bot: readiness fails at once, and
the bot stops with a non-zero exit instead of writing where no restart will find it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from adapters.ops.metrics import OpsServer
from bot.storage.errors import StoreUnavailable
from tests.helpers import make_core
from tests.test_ops_metrics import free_port


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


@pytest.mark.parametrize("how", ["deleted", "replaced"])
async def test_readiness_fails_and_the_watch_stops_the_bot(tmp_path: Path, how: str) -> None:
    core = await make_core(tmp_path)
    path = tmp_path / "videobot.db"
    ops = OpsServer("127.0.0.1", 0)
    await ops.start(core)
    ops.ready = True
    try:
        async with httpx.AsyncClient() as http:
            url = f"http://127.0.0.1:{ops.port}/readyz"
            assert (await http.get(url)).status_code == 200
            assert core.store.unavailable() is None
            if how == "deleted":
                remove_database(path)
            else:
                path.rename(tmp_path / "moved.db")
                path.write_bytes(b"")  # a new, empty database where the old one was
            ready = await http.get(url)
        assert ready.status_code == 503
        assert str(path) in ready.text and how in ready.text
        with pytest.raises(StoreUnavailable, match=how):
            await core.watch_store(every=0.05)
    finally:
        await ops.stop()
        await core.aclose()


def test_videobot_run_exits_non_zero_when_its_database_is_deleted(tmp_path: Path) -> None:
    path = tmp_path / "videobot.db"
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": f"sqlite:///{path}",
        "METRICS_PORT": str(port),
    }
    bot = subprocess.Popen(
        [sys.executable, "-m", "adapters", "run"],
        env=env,
        cwd=tmp_path,
        stdin=subprocess.PIPE,  # kept open: the console bot serves until it is stopped
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert bot.poll() is None and time.monotonic() < deadline, "the bot never got ready"
            time.sleep(0.05)
        remove_database(path)
        code = bot.wait(timeout=30)
        stderr = bot.stderr.read() if bot.stderr else ""
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait()
    assert code == 1, stderr
    assert stderr.strip().splitlines()[-1] == (
        f"videobot: database {path}: deleted while the bot was running; restore it from a backup"
    )
    assert "Traceback" not in stderr
