"""Where the bot keeps its state, chosen by DATABASE_URL. Everything above this package
speaks the `Store` interface and catches `StoreUnavailable`, never a driver's own errors, so
another backend can slot in beside SQLite."""

from __future__ import annotations

from pathlib import Path

from bot.storage.base import JobPatch, Store
from bot.storage.errors import StoreUnavailable

__all__ = ["JobPatch", "Store", "StoreUnavailable", "open_store"]


async def open_store(url: str) -> Store:
    """Open and migrate the store that `url` names; StoreUnavailable, in one line naming the
    database and the problem, when it cannot be used."""
    if url.startswith("sqlite:///"):
        from bot.storage.sqlite import SqliteStore  # the embedded default

        return await SqliteStore.open(Path(url.removeprefix("sqlite:///")))
    scheme = url.split(":", 1)[0] or "(empty)"
    raise StoreUnavailable(f"DATABASE_URL: no store for the scheme {scheme!r}")
