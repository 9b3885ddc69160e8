"""Where a Telegram job is answered, stored with the job so a restart still knows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import Message

from bot.chat import ChatAddress

GROUP_TYPES = ("group", "supergroup")


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True, slots=True)
class TelegramChat:
    chat_id: int | None = None
    chat_type: str | None = None
    message_id: int | None = None  # the command, replied to
    thread_id: int | None = None  # the forum topic; replies must go there too
    status_message_id: int | None = None  # the bot's status message, once sent
    status_header: str = ""

    @classmethod
    def of(cls, address: ChatAddress) -> TelegramChat:
        """This record, also from the JSON a stored job gives back (unknown values dropped)."""
        if isinstance(address, TelegramChat):
            return address
        data = address.to_json()
        chat_type = data.get("chat_type")
        return cls(
            chat_id=_int(data.get("chat_id")),
            chat_type=chat_type if isinstance(chat_type, str) else None,
            message_id=_int(data.get("message_id")),
            thread_id=_int(data.get("thread_id")),
            status_message_id=_int(data.get("status_message_id")),
            status_header=str(data.get("status_header") or ""),
        )

    @classmethod
    def of_message(cls, message: Message, thread_id: int | None) -> TelegramChat:
        return cls(message.chat.id, message.chat.type, message.message_id, thread_id)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "chat_id": self.chat_id,
            "chat_type": self.chat_type,
            "message_id": self.message_id,
            "thread_id": self.thread_id,
        }
        if self.status_message_id is not None:
            data["status_message_id"] = self.status_message_id
            data["status_header"] = self.status_header
        return data

    def same_place(self, other: ChatAddress) -> bool:
        return self.chat_id is not None and TelegramChat.of(other).chat_id == self.chat_id

    def group_key(self) -> str | None:
        """A group's or supergroup's budget covers the whole chat, its topics included."""
        if self.chat_id is None or self.chat_type not in GROUP_TYPES:
            return None
        return f"telegram:{self.chat_id}"
