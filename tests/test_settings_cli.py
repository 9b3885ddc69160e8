"""Settings from chat and from the command line, as operators use them: a real console bot
process and `videobot settings` / `videobot audit` processes on one database (a SQLite file
or PostgreSQL). A change made from the command line applies in the running bot at its next
command; one made in chat shows in `videobot settings get` and `videobot audit`."""

from __future__ import annotations

import asyncio
import getpass
import sys
from pathlib import Path

from tests.postgres import BACKENDS
from tests.test_console import bot_env, run_bot

ME = f"console:{getpass.getuser()}"


async def videobot(env: dict[str, str], cwd: Path, *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters", *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    return proc.returncode or 0, out.decode(), err.decode()


async def read_until(stream: asyncio.StreamReader, text: str) -> str:
    seen = ""
    while text not in seen:
        line = await asyncio.wait_for(stream.readline(), timeout=60)
        assert line, seen
        seen += line.decode()
    return seen


@BACKENDS
async def test_the_command_line_changes_a_running_bot(tmp_path: Path, database_url: str) -> None:
    env = bot_env(DATABASE_URL=database_url, DATA_DIR=str(tmp_path))
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters", "run", cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert bot.stdin is not None and bot.stdout is not None
    try:
        bot.stdin.write(b"/quota\n")
        await bot.stdin.drain()
        await read_until(bot.stdout, "10 of 10 credits left today")
        code, out, err = await videobot(
            env, tmp_path, "settings", "set", "quota_credits_per_day", "3"
        )
        assert code == 0, err
        assert "QUOTA_CREDITS_PER_DAY set: 10 -> 3" in out
        bot.stdin.write(b"/quota\n")
        await bot.stdin.drain()
        await read_until(bot.stdout, "3 of 3 credits left today")  # no restart
        code, out, err = await videobot(env, tmp_path, "users")
        assert code == 0 and "3 per user per day" in out, err
        code, out, err = await videobot(env, tmp_path, "settings", "set", "MAX_JOBS_PER_USER", "0")
        assert code == 1
        assert "MAX_JOBS_PER_USER: Input should be greater than or equal to 1" in err
        code, out, err = await videobot(env, tmp_path, "settings", "reset", "QUOTA_CREDITS_PER_DAY")
        assert code == 0, err
        bot.stdin.write(b"/quota\n")
        bot.stdin.close()
        rest, err = await asyncio.wait_for(bot.communicate(), timeout=60)
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
    assert bot.returncode == 0, err
    assert "10 of 10 credits left today" in rest.decode()


@BACKENDS
async def test_a_change_in_chat_shows_in_settings_get_and_audit(
    tmp_path: Path, database_url: str
) -> None:
    env = bot_env(DATABASE_URL=database_url, DATA_DIR=str(tmp_path), ADMIN_USER_IDS=ME)
    lines = b"/settings max_jobs_per_user 4\n/settings reset video_vendors\n/settings\n"
    code, out, err = await run_bot(tmp_path, lines, env)
    assert code == 0, err
    assert "MAX_JOBS_PER_USER: 2 → 4, in effect now" in out
    assert "MAX_JOBS_PER_USER = 4 (changed at run time)" in out

    code, out, err = await videobot(env, tmp_path, "settings", "get")
    assert code == 0, err
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:]}
    assert rows["MAX_JOBS_PER_USER"] == ["4", "database"]
    assert rows["QUOTA_CREDITS_PER_DAY"] == ["10", "environment"]
    assert rows["VIDEO_VENDORS"] == ["local", "environment"]
    assert {"TELEGRAM_ALLOWED_CHATS", "DISCORD_ALLOWED_GUILDS", "DISCORD_ALLOWED_CHANNELS"} <= set(
        rows
    )

    await videobot(env, tmp_path, "grant", "telegram:5", "3")
    code, out, err = await videobot(env, tmp_path, "audit", "--days", "1")
    assert code == 0, err
    header, *entries = out.splitlines()
    assert header.split()[:4] == ["TIME", "(UTC)", "ACTOR", "FROM"]
    assert [e.split()[2:5] for e in entries] == [
        [f"cli:{getpass.getuser()}", "cli", "grant"],
        [ME, "console", "setting_reset"],
        [ME, "console", "setting"],
    ]
    assert entries[2].split()[5:] == ["MAX_JOBS_PER_USER", "2", "4"]
    code, out, err = await videobot(env, tmp_path, "audit", "--actor", ME)
    assert len(out.splitlines()) == 3
