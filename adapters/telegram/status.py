"""One live status message per job, edited as the job moves, at most once per interval.

The engine's `on_event` only records the newest line; a background task per message does
the editing, coalesces bursts of progress into one edit, and waits out flood control, so
the engine is never held up by Telegram.

A refund notice is acknowledged to the engine (`JobEvent.seen`) only once it is on screen:
edited into the status message, or sent as a new message where there is none (it never
appeared, its id was lost in a stop, or it can no longer be edited). One that a stop cut off
stays pending and is shown after the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, ReplyParameters
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from adapters.telegram.chat import TelegramChat
from adapters.telegram.flood import delete_quietly, patiently
from adapters.telegram.translate import button, clip, redact, retry_seconds
from bot import texts
from bot.events import EventKind, JobEvent
from bot.models import Job

log = logging.getLogger("videobot.telegram")

Persist = Callable[[str, int, str], Awaitable[None]]  # job id, status message id, header
ORPHAN_SECONDS = 120.0  # forget a finished job whose status message never appeared
EDIT_FAILURES = 4


@dataclass
class StatusMessage:
    job_id: str
    chat_id: int
    thread_id: int | None
    locale: str
    message_id: int | None = None
    header: str = ""
    line: str = ""
    cancellable: bool = True
    final: bool = False
    shown: tuple[str, bool] | None = None
    dead: bool = False  # deleted, or the bot lost access: stop editing
    reply_to: int | None = None  # the command, for a notice sent as a new message
    title: str = ""  # names the job in a notice sent without the status message's header
    seen: Callable[[], Coroutine[Any, Any, None]] | None = None  # acks a refund notice
    next_edit: float = 0.0  # monotonic time before which no edit is sent
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    def want(self) -> tuple[str, bool]:
        text = f"{self.header}\n\n{self.line}" if self.header and self.line else self.header
        return clip(text or self.line or "…"), self.cancellable and not self.final


def _title(job: Job) -> str:
    return texts.t(job.locale, "notice_header", prompt=job.prompt[:200], id=job.short_id)


class StatusBoard:
    def __init__(self, bot: Bot, *, interval: float, persist: Persist, token: str = "") -> None:
        self.bot = bot
        self.tidy = False  # GROUP_CLEANUP: a group's status goes once the job ended
        self.interval = interval
        self.persist = persist
        self.token = token
        self._entries: dict[str, StatusMessage] = {}
        self._chores: set[asyncio.Task[None]] = set()
        self.started_at = time.time()  # jobs created before this have no handler here

    def __len__(self) -> int:
        return len(self._entries)

    def _markup(self, entry: StatusMessage, cancellable: bool) -> Any:
        if not cancellable:
            return None
        return button(texts.t(entry.locale, "button_cancel"), "cancel", entry.job_id)

    async def open(
        self, job: Job, *, chat_id: int, thread_id: int | None, reply_to: int | None, header: str
    ) -> int:
        """Send the status message of a job that was just started; returns its id."""
        entry = self._entries.get(job.id)
        if entry is None:
            entry = StatusMessage(job.id, chat_id, thread_id, job.locale)
            self._entries[job.id] = entry
        entry.header = header
        text, cancellable = entry.want()
        reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        try:
            message = await patiently(
                lambda: self.bot.send_message(
                    chat_id,
                    text,
                    message_thread_id=thread_id,
                    reply_parameters=reply,
                    reply_markup=self._markup(entry, cancellable),
                ),
                what="status message",
            )
        except Exception:
            self._entries.pop(job.id, None)
            raise
        entry.message_id = message.message_id
        entry.shown = (text, cancellable)
        entry.next_edit = time.monotonic() + self.interval
        await self.persist(job.id, message.message_id, header)
        self._kick(entry)
        return message.message_id

    def update(self, event: JobEvent) -> None:
        """Record the job's newest state; returns at once (the edit happens in the background)."""
        job = event.job
        entry = self._entries.get(job.id)
        if entry is None:
            chat = TelegramChat.of(job.chat)
            chat_id = chat.chat_id
            if chat_id is None:
                return
            entry = StatusMessage(
                job.id, chat_id, chat.thread_id, job.locale,
                message_id=chat.status_message_id, header=chat.status_header,
                reply_to=chat.message_id,
                title=_title(job),
            )  # fmt: skip
            self._entries[job.id] = entry
        if entry.final:
            return
        entry.line = event.text
        if event.kind in (EventKind.FINISHED, EventKind.FAILED):
            entry.final = True
            entry.seen = event.seen
            entry.dead = entry.dead or (self.tidy and entry.chat_id < 0)  # a notice: a new message
        if event.kind in (EventKind.DELIVERING, EventKind.FINISHED, EventKind.FAILED):
            entry.cancellable = False
        if entry.message_id is None and (event.replayed or job.created_at < self.started_at):
            # No handler of this process will open a status message for a job from before
            # its start: a refund is told at once instead of waiting for one.
            if entry.final:
                self._entries.pop(job.id, None)
                if entry.seen is not None:
                    self._chore(self._announce(entry))
            return
        self._kick(entry)

    def _kick(self, entry: StatusMessage) -> None:
        if entry.dead:
            if entry.final:
                self._entries.pop(entry.job_id, None)
                self._settle_notice(entry)
            return
        if entry.message_id is None:
            if entry.final:  # the handler never sent the message: do not keep it forever
                loop = asyncio.get_running_loop()
                loop.call_later(ORPHAN_SECONDS, self._drop_orphan, entry)
            return
        if entry.task is not None and not entry.task.done():
            return
        if entry.want() == entry.shown:
            if entry.final:
                self._entries.pop(entry.job_id, None)
                self._settle_notice(entry)
            return
        entry.task = asyncio.create_task(self._flush(entry), name=f"tg-status-{entry.job_id[:8]}")

    def _drop_orphan(self, entry: StatusMessage) -> None:
        if entry.message_id is None and self._entries.get(entry.job_id) is entry:
            del self._entries[entry.job_id]
            self._settle_notice(entry)

    def _settle_notice(self, entry: StatusMessage) -> None:
        """Acknowledge a refund notice that is shown; send one that cannot be edited in."""
        if self.tidy and entry.chat_id < 0 and entry.message_id is not None:
            self._chore(delete_quietly(self.bot, entry.chat_id, entry.message_id, self.token))
        if entry.seen is None:
            return
        if entry.message_id is not None and not entry.dead and entry.shown == entry.want():
            self._chore(entry.seen())
        elif entry.dead or entry.message_id is None:
            self._chore(self._announce(entry))
        # else the edits were cut off by a stop: the notice stays pending for the next start

    async def _announce(self, entry: StatusMessage) -> None:
        """Send the refund notice as a new message, replying to the command."""
        reply = (
            ReplyParameters(entry.reply_to, allow_sending_without_reply=True)
            if entry.reply_to
            else None
        )
        try:
            await patiently(
                lambda: self.bot.send_message(
                    entry.chat_id,
                    entry.want()[0] if entry.header else clip(f"{entry.title}\n\n{entry.line}"),
                    message_thread_id=entry.thread_id,
                    reply_parameters=reply,
                ),
                what="refund notice",
            )
        except (BadRequest, Forbidden) as exc:  # blocked, kicked, chat gone: nobody to tell
            log.info(
                "job %s: cannot show the refund notice: %s",
                entry.job_id, redact(exc.message, self.token),
            )  # fmt: skip
        except TelegramError as exc:
            log.warning(
                "job %s: refund notice not sent (%s); trying again after the next start",
                entry.job_id, redact(str(exc), self.token),
            )  # fmt: skip
            return
        if entry.seen is not None:
            await entry.seen()

    def _chore(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._chores.add(task)
        task.add_done_callback(self._chore_done)

    def _chore_done(self, task: asyncio.Task[None]) -> None:
        self._chores.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("status chore failed", exc_info=task.exception())

    async def _flush(self, entry: StatusMessage) -> None:
        failures, stopped = 0, False
        try:
            while True:
                wait = entry.next_edit - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                want = entry.want()
                if want == entry.shown or entry.message_id is None or entry.dead:
                    break
                try:
                    await self.bot.edit_message_text(
                        want[0],
                        chat_id=entry.chat_id,
                        message_id=entry.message_id,
                        reply_markup=self._markup(entry, want[1]),
                    )
                except RetryAfter as exc:
                    pause = retry_seconds(exc)
                    entry.next_edit = time.monotonic() + pause
                    log.info("job %s: flood control; status edit in %.0fs", entry.job_id, pause)
                    continue
                except BadRequest as exc:
                    if "not modified" in exc.message.lower():
                        entry.shown = want
                        continue
                    log.info(
                        "job %s: status message can no longer be edited: %s",
                        entry.job_id, redact(exc.message, self.token),
                    )  # fmt: skip
                    entry.dead = True
                    break
                except Forbidden as exc:
                    log.info("job %s: %s", entry.job_id, redact(exc.message, self.token))
                    entry.dead = True
                    break
                except (NetworkError, TelegramError) as exc:
                    failures += 1
                    if failures >= EDIT_FAILURES:
                        log.warning(
                            "job %s: giving up on status edits: %s",
                            entry.job_id, redact(str(exc), self.token),
                        )  # fmt: skip
                        entry.dead = True
                        break
                    entry.next_edit = time.monotonic() + self.interval * failures
                    continue
                failures = 0
                entry.shown = want
                entry.next_edit = time.monotonic() + self.interval
        except asyncio.CancelledError:
            stopped = True
            raise
        finally:
            entry.task = None
            if entry.final and self._entries.get(entry.job_id) is entry:
                del self._entries[entry.job_id]
                if not stopped:
                    self._settle_notice(entry)

    async def aclose(self) -> None:
        tasks = [e.task for e in self._entries.values() if e.task is not None]
        tasks += self._chores
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._entries.clear()
