"""Pure translations between Telegram objects and the core's terms; no I/O here."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, User
from telegram.error import RetryAfter

from adapters.telegram.chat import TelegramChat
from bot import texts
from bot.logs import REDACTED, TOKEN_PATTERN
from bot.models import UserRef
from bot.service import ADMIN_COMMANDS, USER_COMMANDS, Reply

PLATFORM = "telegram"
ALLOWED_UPDATES = ["message", "callback_query", "pre_checkout_query"]
KNOWN_COMMANDS = frozenset(
    {*USER_COMMANDS, *ADMIN_COMMANDS, "start", "confirm", "paysupport", "terms", "groupquota"}
)
MEDIA_COMMANDS = frozenset({"video", "act"})
TEXT_LIMIT = 4096  # sendMessage / editMessageText
CAPTION_LIMIT = 1024
ALERT_LIMIT = 200  # answerCallbackQuery

_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?=\s|$)")
# a job id, or a cost question's token for confirm / decline
_CALLBACK = re.compile(r"^(again|extend|upscale|cancel|confirm|decline):([0-9a-f]{32})$")


def addressed_command(text: str | None, bot_username: str, *, private: bool) -> str | None:
    """The command name if `text` is a command this bot should answer, else None.

    `/video@OtherBot` belongs to another bot. A bare command we do not know is answered only
    in a private chat or when addressed to us, so group chatter with other bots' commands
    stays unanswered.
    """
    match = _COMMAND.match(text or "")
    if not match:
        return None
    name, target = match.group(1).lower(), match.group(2)
    if target is not None and target.lower() != bot_username.lower():
        return None
    if name in KNOWN_COMMANDS or private or target is not None:
        return name
    return None


def user_ref(user: User) -> UserRef:
    return UserRef(PLATFORM, str(user.id))


def thread_of(message: Message) -> int | None:
    """The forum topic a message lives in (replies must go to the same topic)."""
    return message.message_thread_id if message.is_topic_message else None


def chat_context(message: Message) -> TelegramChat:
    """Where the answers to `message` go; persisted with the job."""
    return TelegramChat.of_message(message, thread_of(message))


@dataclass(frozen=True, slots=True)
class FileRef:
    """A file of a message, known by id and declared size, not yet downloaded."""

    file_id: str
    size: int | None
    kind: str  # "image" or "video"
    mime: str
    filename: str
    message_id: int


def media_refs(message: Message | None) -> list[FileRef]:
    """The images and videos a message carries: the largest photo size, image or video
    documents by MIME type, videos, animations and round video notes."""
    if message is None:
        return []
    mid = message.message_id
    refs: list[FileRef] = []
    if message.photo:
        best = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        refs.append(FileRef(best.file_id, best.file_size, "image", "image/jpeg", "photo.jpg", mid))
    doc = message.document
    if doc is not None and doc.mime_type:
        mime = doc.mime_type.lower()
        if mime.startswith("image/") and mime != "image/gif":
            name = doc.file_name or "image"
            refs.append(FileRef(doc.file_id, doc.file_size, "image", mime, name, mid))
        elif mime.startswith("video/"):
            name = doc.file_name or "video.mp4"
            refs.append(FileRef(doc.file_id, doc.file_size, "video", mime, name, mid))
    for video in (message.video, message.animation):
        if video is not None:
            mime = video.mime_type or "video/mp4"
            name = video.file_name or "video.mp4"
            refs.append(FileRef(video.file_id, video.file_size, "video", mime, name, mid))
    if message.video_note is not None:
        note = message.video_note
        refs.append(FileRef(note.file_id, note.file_size, "video", "video/mp4", "note.mp4", mid))
    return refs


def callback_data(action: str, job_id: str) -> str:
    return f"{action}:{job_id}"


def parse_callback(data: str | None) -> tuple[str, str] | None:
    match = _CALLBACK.match(data or "")
    return (match.group(1), match.group(2)) if match else None


def button(label: str, action: str, job_id: str) -> InlineKeyboardMarkup:
    return buttons([(label, action)], job_id)


def buttons(labelled: list[tuple[str, str]], job_id: str) -> InlineKeyboardMarkup:
    """One row of (label, action) buttons for a job."""
    row = [
        InlineKeyboardButton(label, callback_data=callback_data(a, job_id)) for label, a in labelled
    ]
    return InlineKeyboardMarkup([row])


def retry_seconds(exc: RetryAfter) -> float:
    """RetryAfter's wait in seconds (PTB 22 returns an int or a timedelta, with a warning)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value: Any = exc.retry_after
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    return max(0.0, seconds)


def redact(text: str, token: str = "") -> str:
    """Text with the bot token (plain or URL-quoted) and file URLs taken out."""
    if token:
        text = text.replace(token, REDACTED).replace(token.replace(":", "%3A"), REDACTED)
    return TOKEN_PATTERN.sub(REDACTED, text)


def clip(text: str, limit: int = TEXT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def question_buttons(reply: Reply, locale: str | None) -> InlineKeyboardMarkup | None:
    """✅ Confirm / ✖ Cancel under a cost question; None for any other reply."""
    if reply.confirm is None:
        return None
    labelled = [(texts.t(locale, f"button_{a}"), a) for a in ("confirm", "decline")]
    return buttons(labelled, reply.confirm)


def act_inputs(own: list[FileRef], replied: list[FileRef]) -> tuple[FileRef | None, FileRef | None]:
    """(character, performance) for /act: the command's own photo (or video) is the
    character and the replied video the performance; a video captioned /act replying to a
    photo works the other way round."""
    mine = own[0] if own else None
    theirs_video = next((r for r in replied if r.kind == "video"), None)
    theirs_image = next((r for r in replied if r.kind == "image"), None)
    if mine is not None and mine.kind == "video" and theirs_video is None and theirs_image:
        return theirs_image, mine
    return mine, theirs_video
