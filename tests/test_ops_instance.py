"""One bot per database, keyed on the file itself: a symlink or a hard link to a database
that a bot holds is the same database, and a second `videobot run` on it is refused."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
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


def damaged_copy(tmp_path: Path) -> Path:
    """A videobot database of full length whose later pages were overwritten: it opens, and
    the damage shows only when the bot's first scans read those pages."""
    path = tmp_path / "damaged" / "videobot.db"
    done = videobot(path, "grant", "telegram:1", "1")
    assert done.returncode == 0, done.stderr
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        db.executemany(
            "INSERT INTO jobs (id, user, state, request, cost, paid_daily, paid_bonus, "
            "quota_day, created_at, updated_at, deadline_at) VALUES "
            "(?, 'telegram:1', 'delivered', ?, 1, 1, 0, '2026-01-01', 0, 0, 0)",
            [(f"{i:032x}", "x" * 500) for i in range(2000)],
        )
        db.execute("PRAGMA journal_mode=DELETE")  # everything in the file itself
        (page,) = db.execute("PRAGMA page_size").fetchone()
    data = bytearray(path.read_bytes())
    pages = len(data) // page
    data[pages // 2 * page : (pages - 1) * page] = b"\xff" * ((pages - 1 - pages // 2) * page)
    path.write_bytes(bytes(data))
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
        (damaged_copy(tmp_path), "malformed"),
    ]
    for path, problem in cases:
        one_line_naming(videobot(path, command, timeout=30), path, problem)


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """`folder` read-only for this user: no mode bits stop root, so as root it is also made
    immutable (chattr +i), which stops root from creating files in it."""
    folder.chmod(0o555)
    immutable = False
    try:
        if os.geteuid() == 0:
            done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
            if done.returncode != 0:
                pytest.skip("running as root without chattr: no folder is read-only")
            immutable = True
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)


@pytest.mark.parametrize("command", ["run", "jobs"])
def test_a_read_only_database_folder_ends_the_process_with_one_line(
    tmp_path: Path, command: str
) -> None:
    existing = tmp_path / "existing" / "videobot.db"
    done = videobot(existing, "grant", "telegram:1", "1")  # a real database, then read-only
    assert done.returncode == 0, done.stderr
    new = tmp_path / "new" / "videobot.db"
    new.parent.mkdir()
    with read_only(existing.parent), read_only(new.parent):
        one_line_naming(videobot(existing, command, timeout=30), existing.parent, "cannot write")
        if command == "run":  # the admin commands never create a database
            one_line_naming(videobot(new, command, timeout=30), new.parent, "cannot write")
