"""Telegram albums: photos sent together arrive as separate messages sharing a
media_group_id; a captioned album's command waits for all of them."""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Message

AlbumRun = Callable[[list[Message]], Coroutine[Any, Any, None]]


class AlbumCollector:
    """Remembers recent albums (photos sharing a media_group_id) and runs a captioned
    album's command once its messages stopped arriving for `window` seconds."""

    def __init__(self, window: float, max_groups: int = 500) -> None:
        self.window = window
        self.max_groups = max_groups
        self._seen: OrderedDict[str, dict[int, Message]] = OrderedDict()
        self._pending: dict[str, tuple[AlbumRun, Any]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def remember(self, message: Message) -> None:
        group_id = message.media_group_id
        if group_id is None:
            return
        group = self._seen.setdefault(group_id, {})
        self._seen.move_to_end(group_id)
        group[message.message_id] = message
        while len(self._seen) > self.max_groups:
            self._seen.popitem(last=False)
        if group_id in self._pending:
            self._schedule(group_id, self._pending[group_id][0])

    def members(self, group_id: str) -> list[Message]:
        group = self._seen.get(group_id, {})
        return [group[k] for k in sorted(group)]

    def when_complete(self, message: Message, run: AlbumRun) -> None:
        """Call `run(album messages)` once the album of `message` is complete."""
        assert message.media_group_id is not None
        self.remember(message)
        self._schedule(message.media_group_id, run)

    def _schedule(self, group_id: str, run: AlbumRun) -> None:
        old = self._pending.get(group_id)
        if old is not None:
            old[1].cancel()
        handle = asyncio.get_running_loop().call_later(self.window, self._fire, group_id)
        self._pending[group_id] = (run, handle)

    def _fire(self, group_id: str) -> None:
        pending = self._pending.pop(group_id, None)
        if pending is None:
            return
        task = asyncio.create_task(pending[0](self.members(group_id)), name="tg-album")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def aclose(self) -> None:
        for _run, handle in self._pending.values():
            handle.cancel()
        self._pending.clear()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
