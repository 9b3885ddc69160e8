"""The console bot as a user runs it: a real process, real stdin, a real SQLite file."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import sys
from pathlib import Path

import imageio_ffmpeg

from adapters.instance import holder
from adapters.runtime import run_loop
from tests.emulators.runway import RunwayEmulator
from tests.helpers import wait_until

ROOT = Path(__file__).resolve().parents[1]


def bot_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.endswith(("_API_KEY", "_BOT_TOKEN", "_BASE_URL")) and k != "VIDEO_VENDORS"
    }
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


async def run_bot(
    cwd: Path, stdin: bytes | None, env: dict[str, str], timeout: float = 120
) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters", "run",
        cwd=cwd, env=env,
        stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        out, err = await asyncio.wait_for(proc.communicate(stdin), timeout=timeout)
    finally:
        if proc.returncode is None:  # timed out: leave no bot behind
            proc.kill()
            await proc.wait()
    return proc.returncode or 0, out.decode(), err.decode()


async def start_bot(cwd: Path) -> asyncio.subprocess.Process:
    """The console bot on the local vendor, its stdin and stdout pipes for the test."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters", "run", cwd=cwd, env=bot_env(),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


def ledger(db: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute("SELECT kind, amount FROM ledger ORDER BY id"))


async def test_piped_video_makes_a_playable_mp4_and_costs_one_credit(tmp_path: Path) -> None:
    code, out, err = await run_bot(tmp_path, b"/video a paper boat\n/quota\n", bot_env())
    assert code == 0, err
    match = re.search(r"✅ video: (\S+\.mp4)", out)
    assert match, out
    video = Path(match.group(1))
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(video))
    assert frames >= 100 and seconds >= 4.9
    assert "9 of 10 credits left today" in out
    assert ledger(tmp_path / "data" / "videobot.db") == [("reserve", 1), ("charge", 1)]


async def test_the_console_prints_the_place_in_line(tmp_path: Path) -> None:
    code, out, err = await run_bot(
        tmp_path, b"/video one boat\n/video two boats\n", bot_env(MAX_JOBS_PER_USER="1")
    )
    assert code == 0, err
    assert "⏳ 1st in line · ready in about" in out  # the second, while the first renders
    assert len(set(re.findall(r"✅ video: (\S+\.mp4)", out))) == 2


async def test_the_cost_question_is_answered_by_typing(tmp_path: Path) -> None:
    typed = b"/video a paper boat\n/cancel\n/video a paper boat\n/confirm\n"
    code, out, err = await run_bot(tmp_path, typed, bot_env(CONFIRM_ABOVE_CREDITS="0"))
    assert code == 0, err
    assert out.count("This video costs 1 credits") == 2
    assert "Cancelled; nothing was spent." in out
    assert re.search(r"✅ video: (\S+\.mp4)", out), out
    assert ledger(tmp_path / "data" / "videobot.db") == [("reserve", 1), ("charge", 1)]


async def test_help_and_bad_input_in_the_console(tmp_path: Path) -> None:
    code, out, _ = await run_bot(
        tmp_path,
        b"/help\n/video --ratio 7:3 x\nhello\n/video --image missing.jpg x\n/video --audio x\n",
        bot_env(),
    )
    assert code == 0
    assert "/video a fox running through snow" in out
    assert "can't make 7:3 videos" in out
    assert "None of the models here takes --audio" in out  # the local renderer has no sound
    assert "Type /video" in out
    assert "missing.jpg" in out
    assert ledger(tmp_path / "data" / "videobot.db") == []


async def test_escape_sequences_the_user_typed_are_printed_inert(tmp_path: Path) -> None:
    typed = "/video --ratio 7:3\x1b]0;owned\x07\u202e\x9b2J x\n/what\x1b[2J\n"
    code, out, _ = await run_bot(tmp_path, typed.encode(), bot_env())
    assert code == 0
    for raw in ("\x1b", "\x07", "\u202e", "\x9b"):
        assert raw not in out
    assert "7:3\\x1b]0;owned\\x07\\u202e\\x9b2J" in out  # shown, as escapes


async def test_only_regular_files_are_read_and_never_past_the_limit(tmp_path: Path) -> None:
    """A FIFO with no writer, /dev/zero and a sparse 3 GB file: refused, none read."""
    fifo = tmp_path / "photo.jpg"
    os.mkfifo(fifo)
    sparse = tmp_path / "huge.mp4"
    with sparse.open("wb") as fh:
        fh.truncate(3 * 1024**3)
    typed = f"/video --image {fifo} x\n/video --image /dev/zero x\n/video --video {sparse} x\n"
    code, out, err = await run_bot(tmp_path, typed.encode() + b"/quota\n", bot_env(), 60)
    assert code == 0, err
    assert f"{fifo} is not a regular file" in out and "/dev/zero is not a regular file" in out
    assert "That video is too large (3221.2 MB); send one under 52.4 MB." in out
    assert "10 of 10 credits left today" in out


async def test_sigterm_ends_the_console_bot_whatever_it_is_reading(tmp_path: Path) -> None:
    """stdin held open (a blocked read), a FIFO named and a job rendering: SIGTERM ends it."""
    fifo = tmp_path / "photo.jpg"
    os.mkfifo(fifo)
    bot = await start_bot(tmp_path)
    assert bot.stdin is not None and bot.stdout is not None
    try:
        bot.stdin.write(f"/video a paper boat\n/video --image {fifo} x\n".encode())
        await bot.stdin.drain()
        seen = b""
        while b"paper boat" not in seen:  # the first command was taken: a job is rendering
            line = await asyncio.wait_for(bot.stdout.readline(), timeout=30)
            assert line, seen
            seen += line
        await asyncio.sleep(0.5)  # the FIFO is named by now
        bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.wait(), timeout=30)
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
    assert bot.returncode == 0


async def test_sigkill_mid_job_resumes_and_delivers_once(tmp_path: Path) -> None:
    async with RunwayEmulator("test-key", run_seconds=2.5) as emu:
        env = bot_env(
            VIDEO_VENDORS="runway",
            RUNWAY_API_KEY="test-key",
            RUNWAY_BASE_URL=emu.base_url,
            VIDEO_POLL_INTERVAL="0.2",
        )
        first = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "adapters", "run", cwd=tmp_path, env=env,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert first.stdin is not None
        first.stdin.write(b"/video a paper boat survives\n")
        await first.stdin.drain()
        await wait_until(lambda: emu.count("GET", "/v1/tasks/") >= 1, timeout=30)
        first.send_signal(signal.SIGKILL)  # no chance to clean up
        await first.wait()
        assert emu.count("POST", "/v1/") == 1

        code, out, err = await run_bot(tmp_path, None, env)
        assert code == 0, err
        assert out.count("✅ video:") == 1, out
        assert emu.count("POST", "/v1/") == 1  # resumed by polling, never resubmitted
        db = tmp_path / "data" / "videobot.db"
        # 5 s of gen4.5 at the default price (Runway's 12 credits a second): 3 credits
        assert ledger(db) == [("reserve", 3), ("charge", 3)]
        with sqlite3.connect(db) as conn:
            assert list(conn.execute("SELECT state FROM jobs")) == [("delivered",)]


async def test_a_second_bot_on_the_same_database_refuses_to_start(tmp_path: Path) -> None:
    env = bot_env()
    first = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "adapters", "run", cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    database = tmp_path / "data" / "videobot.db"

    def locked_by_first() -> bool:
        if not database.exists():
            return False
        with database.open("rb") as file:
            return holder(file.fileno()) == str(first.pid)

    await wait_until(locked_by_first, timeout=30)
    code, _, err = await run_bot(tmp_path, None, env)
    assert code == 2
    assert f"another videobot is already running (pid {first.pid})" in err

    assert first.stdin is not None
    first.stdin.close()  # the console ends: the first bot exits and lets go of the database
    await first.communicate()
    assert first.returncode == 0
    code, _, err = await run_bot(tmp_path, None, env)
    assert code == 0, err


def test_the_bot_runs_on_uvloop_where_it_is_installed() -> None:
    async def loop_kind() -> str:
        return type(asyncio.get_running_loop()).__module__

    expected = "asyncio" if sys.platform == "win32" else "uvloop"
    assert run_loop(loop_kind()).split(".")[0] == expected


async def test_the_console_upscales_offline_with_the_local_renderer(tmp_path: Path) -> None:
    bot = await start_bot(tmp_path)
    assert bot.stdin is not None and bot.stdout is not None
    try:
        bot.stdin.write(b"/video a paper boat --ratio 1:1\n")
        await bot.stdin.drain()
        seen = ""
        while (hint := re.search(r"⤴ (/upscale \w+)", seen)) is None:
            line = await asyncio.wait_for(bot.stdout.readline(), timeout=120)
            assert line, seen
            seen += line.decode()
        bot.stdin.write(f"{hint.group(1)}\n".encode())
        bot.stdin.close()
        out, err = await asyncio.wait_for(bot.communicate(), timeout=120)
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
    seen += out.decode()
    assert bot.returncode == 0, err
    assert "local_upscale" in seen and "Cost: 1 credit(s)" in seen
    # each result shows when it arrives and again in the summary at the end
    small, big = (Path(p) for p in dict.fromkeys(re.findall(r"✅ video: (\S+\.mp4)", seen)))

    def width(path: Path) -> int:
        frames = imageio_ffmpeg.read_frames(str(path))
        size = next(frames)["size"]
        frames.close()
        return int(size[0])

    assert width(big) == 2 * width(small)
    assert ledger(tmp_path / "data" / "videobot.db") == [("reserve", 1), ("charge", 1)] * 2


async def test_show_after_a_restart_prints_the_kept_file(tmp_path: Path) -> None:
    code, out, err = await run_bot(tmp_path, b"/video a paper boat\n", bot_env())
    assert code == 0, err
    match = re.search(r"\[([0-9a-f]{8})\] ✅ video: (\S+\.mp4)", out)
    assert match, out
    short, first = match.groups()
    assert Path(first).parent == (tmp_path / "data" / "results").resolve()

    code, out, err = await run_bot(tmp_path, f"/show {short}\n/jobs\n".encode(), bot_env())
    assert code == 0, err
    assert f"[{short}] ✅ video: {first}" in out and "a paper boat" in out
    assert "/show ID" in out  # /jobs says how to see one again
    assert await asyncio.to_thread(Path(first).is_file)
