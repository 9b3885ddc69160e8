"""getChatMember in the Bot API emulator, answering as Telegram does: the ChatMember of
the user's status in the chat (`creator`, `administrator`, `member`, `restricted`, `left`,
`kicked`) with the fields python-telegram-bot 22 requires of each, and 400 errors for a
chat the bot is not in ("chat not found") or a user Telegram does not know ("user not
found"). Someone who posted in a chat is a member of it unless a test says otherwise."""

from __future__ import annotations

import time
from typing import Any

# What each status carries besides `status` and `user` (the Bot API's ChatMember* types).
ADMIN_RIGHTS = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
    "can_edit_stories", "can_delete_stories", "can_pin_messages", "can_manage_topics",
)  # fmt: skip
MEMBER_RIGHTS = (
    "can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
    "can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls",
    "can_send_other_messages", "can_add_web_page_previews", "can_change_info",
    "can_invite_users", "can_pin_messages", "can_manage_topics", "can_edit_tag",
)  # fmt: skip


def chat_member(status: str, user: dict[str, Any]) -> dict[str, Any]:
    """A ChatMember object as Telegram sends it for `status`."""
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(can_be_edited=False, is_anonymous=False)
        member.update(dict.fromkeys(ADMIN_RIGHTS, True))
    elif status == "restricted":
        member.update(is_member=True, until_date=0)
        member.update(dict.fromkeys(MEMBER_RIGHTS, False))
    elif status == "kicked":
        member["until_date"] = int(time.time()) + 86400
    return member


class MembersMixin:
    """Mixed into BotAPIEmulator, which provides `chats`, `messages` and `_error`."""

    chats: dict[int, dict[str, Any]]
    messages: dict[tuple[int, int], dict[str, Any]]

    def _members_init(self) -> None:
        self.statuses: dict[tuple[int, int], str] = {}  # (chat, user) -> status
        self.members_named: dict[int, dict[str, Any]] = {}  # users a test gave a status

    def set_status(self, chat: dict[str, Any], user: dict[str, Any], status: str) -> None:
        """Make `user` the chat's `creator`, `administrator`, `member`, ... from now on."""
        self.chats[chat["id"]] = chat
        self.statuses[(chat["id"], user["id"])] = status
        self.members_named[user["id"]] = user

    def _known_user(self, user_id: int) -> dict[str, Any] | None:
        """The user as Telegram knows it: named by a test, or seen sending a message."""
        if user_id in self.members_named:
            return self.members_named[user_id]
        senders = (m.get("from") for m in self.messages.values())
        return next((u for u in senders if isinstance(u, dict) and u["id"] == user_id), None)

    def _m_getChatMember(self, call: Any) -> Any:
        chat_id, user_id = int(call.params["chat_id"]), int(call.params["user_id"])
        chat = self.chats.get(chat_id)
        if chat is None:
            return self._error(400, "Bad Request: chat not found")
        user = self._known_user(user_id)
        if user is None:
            return self._error(400, "Bad Request: user not found")
        status = self.statuses.get((chat_id, user_id))
        if status is None:
            posted = any(
                m.get("from", {}).get("id") == user_id
                for (c, _), m in self.messages.items()
                if c == chat_id
            )
            status = "member" if posted or chat.get("type") == "private" else "left"
        return chat_member(status, user)

    def _error(self, code: int, description: str, **parameters: Any) -> Any:
        raise NotImplementedError  # BotAPIEmulator's
