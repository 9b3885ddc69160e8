"""One status message per job, edited as the job moves, at most once per interval.

`update` never waits on Discord: it records the newest status and wakes one background task
per job, which edits at most once per `interval` and always ends on the latest state. A
refund notice is acknowledged to the engine (`JobEvent.seen`) only once it is on screen; when
the status message is gone, the failure is posted as a new message instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import discord

from adapters.discord.chat import DiscordChat
from adapters.discord.targets import MESSAGE_MAX, TOKEN_GONE, NoTarget, Targets, mention_only
from adapters.discord.views import rendering_view
from bot.events import EventKind, JobEvent
from bot.models import Job

log = logging.getLogger("videobot.discord")

FINISHED_KEEP = 500  # finished statuses remembered, so a late header edit stays final


@dataclass(eq=False)
class Status:
    """What the job's status message should show; rendered by the job's worker task."""

    job_id: str
    requester: str
    locale: str
    chat: DiscordChat  # its repr leaves out the interaction token
    header: str = ""
    line: str = ""
    cancellable: bool = True
    final: bool = False
    failed: bool = False
    version: int = 0
    rendered: int = 0
    last_render: float = field(default=float("-inf"))
    task: asyncio.Task[None] | None = None
    seen: Callable[[], Coroutine[Any, Any, None]] | None = None  # acks a refund notice

    @property
    def content(self) -> str:
        return "\n".join(p for p in (self.header, self.line) if p)[:MESSAGE_MAX]


class StatusBoard:
    """The live status messages of this process's Discord jobs."""

    def __init__(self, targets: Targets, *, interval: float) -> None:
        self.targets = targets
        self.interval = interval
        self.tidy = False  # GROUP_CLEANUP: a server's status goes once the job ended
        self._live: dict[str, Status] = {}
        self._finished: OrderedDict[str, Status] = OrderedDict()
        self._closed = False

    def status(self, job: Job) -> Status:
        status = self._live.get(job.id) or self._finished.get(job.id)
        if status is None:
            chat = DiscordChat.of(job.chat)
            status = Status(
                job_id=job.id,
                requester=job.user.id,
                locale=job.locale,
                chat=chat,
                header=chat.header,
            )
            self._live[job.id] = status
        return status

    def started(self, job: Job, header: str) -> None:
        """The command was accepted: show `header` (the core's reply) above the status."""
        status = self.status(job)
        status.header = header
        status.chat = DiscordChat.of(job.chat)
        self._kick(status)

    def update(self, event: JobEvent) -> None:
        status = self.status(event.job)
        if status.final:
            return
        status.line = event.text
        status.cancellable = event.kind in (EventKind.ACCEPTED, EventKind.PROGRESS)
        if event.kind in (EventKind.FINISHED, EventKind.FAILED):
            status.final = True
            status.failed = event.kind is EventKind.FAILED
            status.seen = event.seen
        self._kick(status)

    async def aclose(self) -> None:
        self._closed = True
        tasks = [s.task for s in self._live.values() if s.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def idle(self) -> None:
        """Wait until every pending status edit was made (for tests and shutdown)."""
        while tasks := [s.task for s in self._live.values() if s.task and not s.task.done()]:
            await asyncio.gather(*tasks, return_exceptions=True)

    def _kick(self, status: Status) -> None:
        status.version += 1
        if self._closed:
            return
        if status.task is None or status.task.done():
            status.task = asyncio.create_task(
                self._work(status), name=f"discord-status-{status.job_id[:8]}"
            )

    async def _work(self, status: Status) -> None:
        shown = False
        try:
            while status.rendered < status.version:
                wait = status.last_render + self.interval - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                version = status.version
                try:
                    shown = await self._render(status)
                except Exception:
                    shown = False
                    log.exception("job %s: status update crashed", status.job_id)
                status.rendered = version
                status.last_render = time.monotonic()
            if status.final and shown and status.seen is not None:
                await status.seen()  # not reached when a stop cuts in: shown after restart
        finally:
            if status.final and self._live.get(status.job_id) is status:
                del self._live[status.job_id]
                self._finished[status.job_id] = status
                while len(self._finished) > FINISHED_KEEP:
                    self._finished.popitem(last=False)

    async def _render(self, status: Status) -> bool:
        """Show the status; True if it is on screen."""
        view = rendering_view(status.job_id, status.locale) if status.cancellable else None
        try:
            if self.tidy and status.final and status.chat.guild_id:  # GROUP_CLEANUP
                await self._delete(status.chat)
                if not status.failed:
                    return True
            else:
                await self._edit(status.chat, status.content, view)
                return True
        except NoTarget:
            pass
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("job %s: status edit failed: %s", status.job_id, exc)
        if not status.failed:
            return False
        try:  # a refund must reach the user even when the message is gone
            await self._post(status.chat, f"<@{status.requester}> {status.line}", status)
            return True
        except discord.Forbidden as exc:  # nobody to tell: do not try again at every start
            log.warning("job %s: could not post the failure: %s", status.job_id, exc)
            return True
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("job %s: could not post the failure: %s", status.job_id, exc)
            return False

    async def _edit(self, chat: DiscordChat, content: str, view: discord.ui.View | None) -> None:
        message_id = chat.message_id
        if not message_id or not chat.channel_id:
            raise NoTarget
        hook = self.targets.webhook(chat)
        if hook is not None:
            try:
                await hook.edit_message(message_id, content=content, view=view)
                return
            except discord.HTTPException as exc:
                if exc.status not in TOKEN_GONE:
                    raise
        message = self.targets.channel(chat).get_partial_message(message_id)
        await message.edit(content=content, view=view)

    async def _delete(self, chat: DiscordChat) -> None:
        """Delete the status message (through the interaction while its token lasts)."""
        message_id = chat.message_id
        if not message_id or not chat.channel_id:
            raise NoTarget
        hook = self.targets.webhook(chat)
        if hook is not None:
            with contextlib.suppress(discord.NotFound):
                await hook.delete_message(message_id)
            return
        with contextlib.suppress(discord.NotFound):
            await self.targets.channel(chat).get_partial_message(message_id).delete()

    async def _post(self, chat: DiscordChat, content: str, status: Status) -> None:
        await self.targets.channel(chat).send(
            content[:MESSAGE_MAX],
            allowed_mentions=mention_only(status.requester),
            reference=self.targets.reference(chat),
        )
