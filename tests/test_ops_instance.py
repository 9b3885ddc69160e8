"""One bot per database, keyed on the file itself: a symlink or a hard link to a database
that a bot holds is the same database, and a second `videobot run` on it is refused."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from adapters.instance import AlreadyRunning, single_instance

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no flock on Windows")


def make_db(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE t (x)")
    return path


def videobot(database: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The real command line in a child process, on `database`, with nothing else set."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": f"sqlite:///{database}",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.run(
        [sys.executable, "-m", "adapters", *args],
        env=env,
        cwd=database.parent if database.parent.is_dir() else Path.cwd(),
        input="",
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_a_symlink_or_a_hard_link_to_a_held_database_is_refused(tmp_path: Path) -> None:
    db = make_db(tmp_path / "data" / "videobot.db")
    symlink = tmp_path / "elsewhere" / "link.db"
    symlink.parent.mkdir()
    symlink.symlink_to(db)
    hard = tmp_path / "other" / "hard.db"
    hard.parent.mkdir()
    os.link(db, hard)
    with single_instance(db):
        for other in (db, symlink, hard):
            with (
                pytest.raises(AlreadyRunning, match=f"pid {os.getpid()}"),
                single_instance(other),
            ):
                pass
    with single_instance(hard), pytest.raises(AlreadyRunning), single_instance(symlink):
        pass  # the first bot's lock went with it; the hard link's holds


def test_a_second_videobot_run_on_a_link_exits_at_once(tmp_path: Path) -> None:
    db = make_db(tmp_path / "videobot.db")
    hard = tmp_path / "copy" / "videobot.db"
    hard.parent.mkdir()
    os.link(db, hard)
    with single_instance(db):
        done = videobot(hard, "run")
    assert done.returncode == 2, done.stderr
    assert f"already running (pid {os.getpid()})" in done.stderr
    assert "Traceback" not in done.stderr


def one_line_naming(done: subprocess.CompletedProcess[str], path: Path, problem: str) -> None:
    """Failed at once with one line that names the file and the problem: no traceback."""
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert str(path) in lines[0] and problem in lines[0], lines[0]


def truncated_copy(tmp_path: Path) -> Path:
    """A real database with rows, cut to half its length, as a full disk or a broken copy
    leaves it."""
    path = tmp_path / "cut" / "videobot.db"
    path.parent.mkdir()
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE ledger (id INTEGER PRIMARY KEY, note TEXT)")
        db.executemany("INSERT INTO ledger (note) VALUES (?)", [("x" * 200,)] * 2000)
        db.commit()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize("command", ["run", "jobs"])
def test_a_database_that_cannot_be_opened_ends_the_process_with_one_line(
    tmp_path: Path, command: str
) -> None:
    folder = tmp_path / "folder.db"
    folder.mkdir()
    garbage = tmp_path / "garbage" / "videobot.db"
    garbage.parent.mkdir()
    garbage.write_bytes(b"this is not sqlite at all" * 400)
    cut = truncated_copy(tmp_path)
    cases = [
        (folder, "is a folder"),
        (garbage, "not a database"),
        (cut, "truncated"),
    ]
    for path, problem in cases:
        one_line_naming(videobot(path, command, timeout=30), path, problem)
