"""PROMPT_BLOCKLIST in the console bot as an operator runs it: a real process on a real SQLite
file with the Runway emulator as its vendor; a wrong file stops it at start, SIGHUP reloads."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from tests.emulators.runway import RunwayEmulator
from tests.helpers import task_calls
from tests.test_console import bot_env, ledger, run_bot


def runway_env(emu: RunwayEmulator, blocklist: Path, **extra: str) -> dict[str, str]:
    return bot_env(
        VIDEO_VENDORS="runway", RUNWAY_API_KEY="test-key", RUNWAY_BASE_URL=emu.base_url,
        VIDEO_POLL_INTERVAL="0.2", PROMPT_BLOCKLIST=str(blocklist), **extra,
    )  # fmt: skip


async def test_blocked_prompts_are_refused_with_no_credit_or_vendor_call(tmp_path: Path) -> None:
    blocklist = tmp_path / "blocklist.txt"
    blocklist.write_text("# refused\ngore\n暴力\nre:nsfw\\d+\n", encoding="utf-8")
    typed = "/video GORE at dawn\n/video 一段暴力的视频\n/video an nsfw42 clip\n/quota\n"
    async with RunwayEmulator("test-key") as emu:
        code, out, err = await run_bot(tmp_path, typed.encode(), runway_env(emu, blocklist))
        assert code == 0, err
        assert task_calls(emu) == []
    assert out.count("I can't make a video from this description.") == 3, out
    assert "GORE" not in out and "nsfw42" not in out  # the prompt is not echoed back
    assert "10 of 10 credits left today" in out
    assert ledger(tmp_path / "data" / "videobot.db") == []


async def test_a_wrong_blocklist_stops_the_bot_naming_the_line(tmp_path: Path) -> None:
    blocklist = tmp_path / "blocklist.txt"
    blocklist.write_text("gore\n\nre:(a+)+$\n", encoding="utf-8")
    code, _, err = await run_bot(tmp_path, b"", bot_env(PROMPT_BLOCKLIST=str(blocklist)))
    assert code == 2
    assert f"PROMPT_BLOCKLIST={blocklist} line 3 ('re:(a+)+$'): repeats a repetition" in err


async def test_sighup_reads_the_blocklist_again(tmp_path: Path) -> None:
    blocklist = tmp_path / "blocklist.txt"
    blocklist.write_text("gore\n", encoding="utf-8")
    async with RunwayEmulator("test-key") as emu:
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "adapters", "run", cwd=tmp_path,
            env=runway_env(emu, blocklist, LOG_LEVEL="INFO"),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert bot.stdin is not None and bot.stderr is not None
        try:
            logged = b""
            while b"serving with console" not in logged:
                line = await asyncio.wait_for(bot.stderr.readline(), timeout=30)
                assert line, logged
                logged += line
            blocklist.write_text("gore\npaper boat\n", encoding="utf-8")
            bot.send_signal(signal.SIGHUP)
            while b"blocklist reloaded: 2 entries" not in logged:
                line = await asyncio.wait_for(bot.stderr.readline(), timeout=30)
                assert line, logged
                logged += line
            out, _ = await asyncio.wait_for(bot.communicate(b"/video a paper boat\n"), 60)
        finally:
            if bot.returncode is None:
                bot.kill()
                await bot.wait()
        assert bot.returncode == 0
        assert task_calls(emu) == []
    assert "I can't make a video from this description." in out.decode()
    assert ledger(tmp_path / "data" / "videobot.db") == []
