"""A Stars payment and a SIGKILL: the real `videobot run` in a subprocess against the Bot
API emulator, killed after it confirmed the payment's update but before it could credit it
(the test holds the database's write lock meanwhile). Telegram never sends a confirmed
update again; the restarted bot finds the payment among its Star transactions and credits
it once, and the same update replayed afterwards credits nothing more."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.botapi_emulator import TOKEN, BotAPIEmulator
from tests.helpers import wait_until

PAYLOAD = "credits:10:50:telegram:1001"


def bought(path: Path) -> tuple[int, int]:
    """(purchase ledger entries, the user's bought credits), read as another process."""
    db = sqlite3.connect(path)
    try:
        (entries,) = db.execute("SELECT COUNT(*) FROM ledger WHERE kind = 'purchase'").fetchone()
        row = db.execute("SELECT purchased FROM users WHERE user = 'telegram:1001'").fetchone()
    finally:
        db.close()
    return entries, row[0] if row else 0


async def start_bot(tmp_path: Path, tg: BotAPIEmulator) -> asyncio.subprocess.Process:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'videobot.db'}",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": tg.root_url,
        "CREDIT_PACKS": "10:50",
        "LOG_LEVEL": "INFO",
    }
    polls = len(tg.offsets)
    log = os.open(tmp_path / "bot.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "adapters", "run", env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
    finally:
        os.close(log)
    await wait_until(lambda: len(tg.offsets) > polls or proc.returncode is not None, timeout=60)
    assert proc.returncode is None, (tmp_path / "bot.log").read_text()
    return proc


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
async def test_payment_credited_once_across_a_sigkill_before_its_credit(tmp_path: Path) -> None:
    tg = await BotAPIEmulator().start()
    procs: list[asyncio.subprocess.Process] = []
    try:
        procs.append(await start_bot(tmp_path, tg))
        ann = tg.user()
        query = tg.pre_checkout(ann, PAYLOAD, 50)
        await wait_until(lambda: query in tg.pre_checkout_answers, timeout=15)
        assert tg.pre_checkout_answers[query]["ok"] is True

        lock = sqlite3.connect(tmp_path / "videobot.db", isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")  # the bot's credit now waits on the write lock
        try:
            message = tg.pay(query, ann, PAYLOAD, 50)
            update_id = max(u["update_id"] for u in tg._updates)
            await wait_until(lambda: max(tg.offsets) > update_id, timeout=15)  # confirmed
            await asyncio.sleep(0.3)  # the handler is running, stuck on the lock
            procs[0].send_signal(signal.SIGKILL)
            await procs[0].wait()
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        assert bought(tmp_path / "videobot.db") == (0, 0)  # killed between update and credit
        assert not tg._updates  # and Telegram will not send it again

        procs.append(await start_bot(tmp_path, tg))
        await wait_until(lambda: bought(tmp_path / "videobot.db") == (1, 10), timeout=30)

        tg.push_update({"message": message})  # the same payment update, replayed
        await tg.wait_for("sendMessage", where=lambda c: "credits added" in c.params["text"])
        assert bought(tmp_path / "videobot.db") == (1, 10)
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), 20)
                except TimeoutError:
                    proc.kill()
                    await proc.wait()
        await tg.stop()
