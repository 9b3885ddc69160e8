"""Telegram updates -> core calls: commands (also in photo captions), replies to media,
albums, and the Again / Upscale / Cancel buttons.

The adapter only gathers what the user pointed at (the photo replied to, the album, the
performance video), downloads it, and hands the command (read by the core's parser) and the
media to the core; checks and credits all live in the core.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from telegram import Chat, InlineKeyboardMarkup, Message, ReplyParameters, Update, User
from telegram.constants import ChatAction, ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from adapters.telegram.albums import AlbumCollector
from adapters.telegram.chat import TelegramChat
from adapters.telegram.chat_admins import ChatAdmins
from adapters.telegram.downloads import Downloader
from adapters.telegram.flood import patiently
from adapters.telegram.settings import TelegramSettings
from adapters.telegram.status import StatusBoard
from adapters.telegram.translate import (
    ALERT_LIMIT,
    MEDIA_COMMANDS,
    act_inputs,
    addressed_command,
    chat_context,
    clip,
    media_refs,
    parse_callback,
    question_buttons,
    redact,
    thread_of,
    user_ref,
)
from bot import texts
from bot.bootstrap import Core
from bot.commands import read
from bot.errors import InvalidRequest
from bot.link_commands import needs_private_chat
from bot.models import UserRef
from bot.service import Incoming

log = logging.getLogger("videobot.telegram")

MAX_IMAGES = 3  # the core takes two (first, last); a third is enough for it to say so


class Handlers:
    def __init__(
        self,
        core: Core,
        settings: TelegramSettings,
        board: StatusBoard,
        downloader: Downloader,
        *,
        album_window: float,
        token: str,
    ) -> None:
        self.core = core
        self.settings = settings
        self.board = board
        self.downloader = downloader
        self.albums = AlbumCollector(album_window)
        self.token = token
        self.chat_admins = ChatAdmins(token)  # asked by /groupquota only

    # where the bot serves

    def allowed(self, chat: Chat, user: UserRef) -> bool:
        allowed = self.settings.allowed_chats
        if not allowed or chat.id in allowed:
            return True
        return chat.type == ChatType.PRIVATE and self.core.service.is_admin(user)

    # messages

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or message.from_user is None or message.from_user.is_bot:
            return
        sender = message.from_user
        private = message.chat.type == ChatType.PRIVATE
        text = message.text or message.caption or ""
        name = addressed_command(text, context.bot.username, private=private)
        if message.media_group_id is not None:
            self.albums.remember(message)
        if name is None:
            if private and message.media_group_id is None:
                await self._answer(message, texts.t(sender.language_code, "hint"))
            return
        if not self.allowed(message.chat, user_ref(sender)):
            await self._answer(message, texts.t(sender.language_code, "not_enabled_here"))
            return
        if message.media_group_id is not None and name in MEDIA_COMMANDS:

            async def run(album: list[Message]) -> None:
                await self._command(message, sender, text, name, album or [message])

            self.albums.when_complete(message, run)
            return
        await self._command(message, sender, text, name, [message])

    async def _command(
        self, message: Message, sender: User, text: str, name: str, own: list[Message]
    ) -> None:
        locale = sender.language_code
        incoming = Incoming(
            user=user_ref(sender), command=read(text), locale=locale, chat=chat_context(message),
            chat_admin=self.chat_admins.check(message.get_bot(), message.chat.id, sender.id),
        )  # fmt: skip
        if needs_private_chat(incoming.command) and message.chat.type != ChatType.PRIVATE:
            await self._answer(message, texts.t(locale, "link_private"))
            return
        if name in MEDIA_COMMANDS:
            refusal = await self.core.service.admit(incoming.user, locale, incoming.chat)
            if refusal is not None:  # no download (nor decoding) for who cannot start one
                await self._answer(message, refusal.text)
                return
            try:
                await self._gather_media(incoming, name, own, message.reply_to_message)
            except InvalidRequest as exc:
                await self._answer(message, texts.t(locale, exc.key, **exc.params))
                return
            except TelegramError as exc:
                log.warning("downloading media failed: %s", redact(str(exc), self.token))
                await self._answer(message, texts.t(locale, "download_failed"))
                return
        reply = await self.core.service.handle(incoming)
        if reply.job is None:
            await self._answer(message, reply.text, question_buttons(reply, locale))
            return
        await self.board.open(
            reply.job,
            chat_id=message.chat.id,
            thread_id=thread_of(message),
            reply_to=message.message_id,
            header=reply.text,
        )

    async def _gather_media(
        self, incoming: Incoming, name: str, own: list[Message], replied: Message | None
    ) -> None:
        """Download what the command points at: its own photo(s) or album, and the message
        it replies to (with the rest of that album when the bot saw it)."""
        own_refs = [ref for m in own for ref in media_refs(m)]
        replied_msgs: list[Message] = []
        if replied is not None:
            replied_msgs = [replied]
            if replied.media_group_id is not None:
                members = self.albums.members(replied.media_group_id)
                if any(m.message_id == replied.message_id for m in members):
                    replied_msgs = members
        replied_refs = [ref for m in replied_msgs for ref in media_refs(m)]
        if not own_refs and not replied_refs:
            return
        anchor = own[0]
        with contextlib.suppress(TelegramError):  # "typing…" while the files come in
            await anchor.get_bot().send_chat_action(
                anchor.chat.id, ChatAction.TYPING, message_thread_id=thread_of(anchor)
            )
        if name == "act":
            character, performance = act_inputs(own_refs, replied_refs)
            wanted = [r for r in (character, performance) if r is not None]
            fetched = await asyncio.gather(*(self.downloader.fetch(r) for r in wanted))
            got = dict(zip(wanted, fetched, strict=True))
            incoming.character = got.get(character) if character else None
            incoming.video = got.get(performance) if performance else None
            return
        refs = replied_refs + own_refs  # the earlier message is the first frame
        images = [r for r in refs if r.kind == "image"][:MAX_IMAGES]
        video = next((r for r in refs if r.kind == "video"), None)
        if video is not None:
            images = []  # video-to-video: photos beside it are not frames
        wanted = [*images, *([video] if video else [])]
        fetched = await asyncio.gather(*(self.downloader.fetch(r) for r in wanted))
        incoming.images = list(fetched[: len(images)])
        incoming.video = fetched[len(images)] if video is not None else None

    async def _answer(
        self, message: Message, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> None:
        await patiently(
            lambda: message.get_bot().send_message(
                message.chat.id,
                clip(text),
                reply_markup=markup,
                message_thread_id=thread_of(message),
                reply_parameters=ReplyParameters(
                    message.message_id, allow_sending_without_reply=True
                ),
            ),
            what="reply",
        )

    # buttons

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        parsed = parse_callback(query.data)
        if parsed is None:
            await self._ack(query)
            return
        action, job_id = parsed
        user = user_ref(query.from_user)
        locale = query.from_user.language_code
        message = query.message
        if message is not None and not self.allowed(message.chat, user):
            await self._ack(query, texts.t(locale, "not_enabled_here"), alert=True)
            return
        if action == "cancel":
            reply = await self.core.service.cancel(user, job_id, locale)
            await self._ack(query, reply.text, alert=reply.error)
            return
        if action == "decline":
            reply = self.core.service.decline(user, job_id, locale)
            await self._ack(query, reply.text, alert=reply.error)
            if not reply.error and isinstance(message, Message):
                await self._settle_question(message, reply.text)
            return
        if message is None:
            await self._ack(query)
            return
        full = message if isinstance(message, Message) else None
        thread_id = thread_of(full) if full is not None else None
        chat = TelegramChat(message.chat.id, message.chat.type, message.message_id, thread_id)
        svc = self.core.service
        starts = dict(upscale=svc.upscale, extend=svc.extend_job, confirm=svc.confirm)
        start = starts.get(action, svc.again)
        reply = await start(user, job_id, locale, chat)
        if reply.confirm is not None and full is not None:  # Again or Upscale asks first
            await self._ack(query)
            await self._answer(full, reply.text, question_buttons(reply, locale))
            return
        if action == "confirm" and reply.job is not None and full is not None:
            await self._settle_question(full, full.text or "")
        if reply.job is None:
            if len(reply.text) <= ALERT_LIMIT:
                await self._ack(query, reply.text, alert=True)
                return
            await self._ack(query)
            if full is not None:
                await self._answer(full, reply.text)
            return
        await self._ack(query)
        await self.board.open(
            reply.job,
            chat_id=message.chat.id,
            thread_id=thread_id,
            reply_to=message.message_id,
            header=reply.text,
        )

    async def _settle_question(self, message: Message, text: str) -> None:
        """The answered question keeps its text and loses its buttons."""
        with contextlib.suppress(TelegramError):
            await patiently(
                lambda: message.get_bot().edit_message_text(
                    clip(text), message.chat.id, message.message_id, reply_markup=None
                ),
                what="question edit",
            )

    async def _ack(self, query: Any, text: str | None = None, *, alert: bool = False) -> None:
        try:
            await patiently(
                lambda: query.answer(clip(text, ALERT_LIMIT) if text else None, show_alert=alert),
                what="callback answer",
            )
        except TelegramError as exc:  # e.g. the query is too old
            log.info("answering a button press failed: %s", redact(str(exc), self.token))

    # errors

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        log.error(
            "handling a Telegram update failed: %s",
            redact(f"{type(error).__name__}: {error}", self.token),
            exc_info=error,
        )
