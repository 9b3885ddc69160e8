"""The engine's sink for Telegram: status updates and the finished video.

`deliver` uploads the mp4 from disk with sendVideo (streamable, captioned, replying to the request,
with "Again" and, where a vendor serves it, "Upscale" buttons); a file over the upload limit
is re-encoded to fit (bot/fit.py), and the vendor's link is sent when even that does not.
Telegram errors become DeliveryError so the engine can retry or refund:
RetryAfter -> retry after Telegram's wait; network trouble -> retry; a vanished reply target
or topic -> sent again without it; a migrated group -> sent to the new chat id;
Forbidden (blocked, kicked) and other refusals -> permanent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, InputFile, Message, ReplyParameters
from telegram.constants import ChatAction
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from adapters.telegram.chat import TelegramChat
from adapters.telegram.status import StatusBoard
from adapters.telegram.translate import CAPTION_LIMIT, buttons, clip, redact, retry_seconds
from bot import fit, texts
from bot.events import DeliveryError, JobEvent
from bot.models import Job

log = logging.getLogger("videobot.telegram")

UPLOAD_WRITE_TIMEOUT = 600.0
UPLOAD_READ_TIMEOUT = 120.0
_REPLY_GONE = ("message to be replied not found", "replied message not found", "reply message")
_THREAD_GONE = ("message thread not found", "topic_deleted", "topic_closed", "thread not found")
_TOO_LARGE = ("too large", "too big", "entity too large")


class TelegramSink:
    """JobSink for the `telegram` platform."""

    keep_files = False
    acks_notices = True  # the StatusBoard acknowledges a refund notice once it is shown

    def __init__(
        self,
        bot: Bot,
        board: StatusBoard,
        *,
        upload_limit: int,
        token: str,
        work_dir: Path | None = None,
        result_buttons: Callable[[Job, bool], tuple[str, ...]] = lambda job, kept: ("again",),
    ) -> None:
        self.bot = bot
        self.result_buttons = result_buttons  # the actions under a video (again, upscale)
        self.board = board
        self.upload_limit = upload_limit
        self.work_dir = work_dir or Path(tempfile.gettempdir())  # re-encodes to fit the limit
        self.token = token
        self.closed = False  # the adapter is stopping: deliveries wait for the next start

    async def on_event(self, event: JobEvent) -> None:
        if not self.closed:
            self.board.update(event)

    async def deliver(self, job: Job, video: Path, caption: str) -> None:
        if self.closed:
            raise DeliveryError("the Telegram adapter is stopping", retry_after=30.0)
        chat = TelegramChat.of(job.chat)
        chat_id = chat.chat_id
        if chat_id is None:
            raise DeliveryError("job has no Telegram chat", permanent=True)
        size = (await asyncio.to_thread(video.stat)).st_size
        target = _Target(chat_id, chat.thread_id, chat.message_id)
        async with fit.within(video, self.upload_limit, self.work_dir) as sendable:
            if sendable is None:
                await self._send_link(job, target, size)
                return
            if sendable != video:
                caption = clip(caption, CAPTION_LIMIT - 80) + fit.compressed_note(
                    job.locale, job.short_id
                )
            await self._upload(job, target, sendable, caption, size)

    async def _upload(
        self, job: Job, target: _Target, video: Path, caption: str, size: int
    ) -> None:
        await self._chat_action(target)
        markup = self._markup(job)

        async def send(t: _Target) -> Message:
            # A fresh handle per attempt, streamed by the HTTP backend in small pieces:
            # the video never sits in memory whole.
            with await asyncio.to_thread(video.open, "rb") as handle:
                upload = InputFile(handle, filename=f"{job.short_id}.mp4", read_file_handle=False)
                return await self.bot.send_video(
                    t.chat_id,
                    upload,
                    caption=clip(caption, CAPTION_LIMIT),
                    supports_streaming=True,
                    message_thread_id=t.thread_id,
                    reply_parameters=t.reply(),
                    reply_markup=markup,
                    read_timeout=UPLOAD_READ_TIMEOUT,
                    write_timeout=UPLOAD_WRITE_TIMEOUT,
                )

        try:
            await self._send(job, target, send)
        except DeliveryError as exc:
            if not exc.permanent or not exc.args[0].startswith("too large") or not job.result_url:
                raise
            log.info("job %s: Telegram refused the upload as too large; sending a link", job.id)
            await self._send_link(job, target, size)

    async def _send_link(self, job: Job, target: _Target, size: int) -> None:
        if not job.result_url:
            raise DeliveryError(
                f"video is {size} bytes, over the upload limit of {self.upload_limit}, "
                "and the vendor gave no link",
                permanent=True,
            )
        url = job.result_url
        text = texts.t(job.locale, "result_link", size_mb=f"{size / 1_000_000:.0f}", url=url)
        markup = self._markup(job)

        async def send(t: _Target) -> Message:
            return await self.bot.send_message(
                t.chat_id,
                clip(text),
                message_thread_id=t.thread_id,
                reply_parameters=t.reply(),
                reply_markup=markup,
            )

        await self._send(job, target, send)
        log.info("job %s: sent a link instead of a %d-byte upload", job.id, size)

    def _markup(self, job: Job) -> InlineKeyboardMarkup | None:
        """↻ Again under a video, and ⤴ Upscale where a vendor serves it."""
        actions = self.result_buttons(job, self.keep_files)
        if not actions:
            return None
        return buttons([(texts.t(job.locale, f"button_{a}"), a) for a in actions], job.id)

    async def _send(self, job: Job, target: _Target, send: Any) -> None:
        """Send, adjusting the target once per kind of stale context; map errors."""
        for _ in range(4):
            try:
                await send(target)
                return
            except RetryAfter as exc:
                raise DeliveryError("flood control", retry_after=retry_seconds(exc)) from None
            except ChatMigrated as exc:
                log.info("job %s: group became a supergroup; sending there", job.id)
                target = _Target(exc.new_chat_id, None, None)
            except Forbidden as exc:
                raise DeliveryError(self._why(exc), permanent=True) from None
            except InvalidToken as exc:
                raise DeliveryError(self._why(exc), permanent=True) from None
            except BadRequest as exc:
                reason = exc.message.lower()
                if target.reply_to is not None and any(w in reason for w in _REPLY_GONE):
                    target = _Target(target.chat_id, target.thread_id, None)
                elif target.thread_id is not None and any(w in reason for w in _THREAD_GONE):
                    target = _Target(target.chat_id, None, target.reply_to)
                elif any(w in reason for w in _TOO_LARGE):
                    raise DeliveryError("too large: " + self._why(exc), permanent=True) from None
                else:
                    raise DeliveryError(self._why(exc), permanent=True) from None
            except NetworkError as exc:  # TimedOut included; 413 arrives as a NetworkError
                if any(w in exc.message.lower() for w in _TOO_LARGE):
                    raise DeliveryError("too large: " + self._why(exc), permanent=True) from None
                raise DeliveryError(self._why(exc)) from None
            except TelegramError as exc:
                raise DeliveryError(self._why(exc)) from None
        raise DeliveryError("could not find where to send the video", permanent=True)

    async def _chat_action(self, target: _Target) -> None:
        with contextlib.suppress(TelegramError):  # cosmetic
            await self.bot.send_chat_action(
                target.chat_id, ChatAction.UPLOAD_VIDEO, message_thread_id=target.thread_id
            )

    def _why(self, exc: TelegramError) -> str:
        return redact(f"{type(exc).__name__}: {exc.message}", self.token)[:300]


class _Target:
    __slots__ = ("chat_id", "reply_to", "thread_id")

    def __init__(self, chat_id: int, thread_id: Any, reply_to: Any) -> None:
        self.chat_id = chat_id
        self.thread_id = thread_id if isinstance(thread_id, int) else None
        self.reply_to = reply_to if isinstance(reply_to, int) else None

    def reply(self) -> ReplyParameters | None:
        if self.reply_to is None:
            return None
        return ReplyParameters(self.reply_to, allow_sending_without_reply=True)
