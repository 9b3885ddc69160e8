"""Notices when the database file the store has open is no longer the one at its path.

Why: SQLite keeps writing into a file that was deleted (or renamed away and replaced) while
it is open. The bot would go on taking jobs and credits into a file nobody can reach, and
after a restart every one of them would be gone. The path's device and inode, compared with
those of the file opened, tell; the bot then stops, loudly, instead.
"""

from __future__ import annotations

import os
from pathlib import Path


def identity(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_dev, st.st_ino


class FileWatch:
    """The identity of the database file as opened, checked against the path on demand."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.opened = identity(path)

    def problem(self) -> str | None:
        """Why the path no longer leads to the open database; None while it does."""
        try:
            now = identity(self.path)
        except FileNotFoundError:
            return f"{self.path}: deleted while the bot was running; restore it from a backup"
        except OSError as exc:
            return f"{self.path}: cannot be checked any more: {exc.strerror or exc}"
        if now != self.opened:
            return f"{self.path}: replaced by another file while the bot was running"
        return None
