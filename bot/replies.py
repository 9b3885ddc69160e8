"""What an adapter hands the service (`Incoming`) and gets back (`Reply`), and the UTC
day arithmetic of the daily credits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.chat import ChatAddress, StoredChat
from bot.command_types import Command
from bot.group_budget import AdminCheck
from bot.models import Job, Media, UserRef


@dataclass(slots=True)
class Incoming:
    """One command from a chat, with the media the adapter already downloaded."""

    user: UserRef
    command: Command  # from `bot.commands.read` for a line of text, or a form's fields
    locale: str | None = None
    chat: ChatAddress = field(default_factory=StoredChat)  # the adapter's reply context
    images: list[Media] = field(default_factory=list)
    video: Media | None = None
    character: Media | None = None
    # Whether the sender administers this chat, asked only by /groupquota (the adapter's port)
    chat_admin: AdminCheck | None = None


@dataclass(slots=True)
class Reply:
    text: str
    job: Job | None = None  # set when a video job was started
    error: bool = False
    confirm: str | None = None  # a cost question's token: show Confirm / Cancel for it


def utc_day(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).date().isoformat()


def seconds_to_midnight(now: float) -> float:
    current = datetime.fromtimestamp(now, UTC)
    midnight = (current + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - current).total_seconds()
