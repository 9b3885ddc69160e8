"""Where a Discord job is answered, stored with the job so a restart still knows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from bot.chat import ChatAddress


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


@dataclass(frozen=True, slots=True)
class DiscordChat:
    """The JSON keys are the ones rows always had; the token stays out of repr and str."""

    channel_id: int | None = None
    guild_id: int | None = None  # None in a DM
    message_id: int | None = None  # the status message ("thinking", or the ⏳ reply)
    reply_to: int | None = None  # a `!video` message, answered by reply
    filesize_limit: int | None = None
    app_id: int | None = None  # an interaction's webhook: its app, token and time
    token: str | None = field(default=None, repr=False)  # valid 15 minutes; never logged
    token_at: float | None = None
    header: str = ""  # the core's answer, shown above the status

    @classmethod
    def of(cls, address: ChatAddress) -> DiscordChat:
        """This record, also from the JSON a stored job gives back: a missing or malformed
        value is dropped (None), never guessed at."""
        if isinstance(address, DiscordChat):
            return address
        data = address.to_json()
        token = data.get("token")
        return cls(
            channel_id=_int(data.get("channel_id")),
            guild_id=_int(data.get("guild_id")),
            message_id=_int(data.get("message_id")),
            reply_to=_int(data.get("reply_to")),
            filesize_limit=_int(data.get("filesize_limit")),
            app_id=_int(data.get("app_id")),
            token=token if isinstance(token, str) else None,
            token_at=_float(data.get("token_at")),
            header=str(data.get("header") or ""),
        )

    def with_header(self, header: str) -> DiscordChat:
        return replace(self, header=header)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def same_place(self, other: ChatAddress) -> bool:
        return self.channel_id is not None and DiscordChat.of(other).channel_id == self.channel_id

    def group_key(self) -> str | None:
        """A server's budget covers all its channels (Manage Server is a server's right)."""
        return None if self.guild_id is None else f"discord:{self.guild_id}"


def stored_change(
    change: Callable[[DiscordChat], DiscordChat],
) -> Callable[[ChatAddress], ChatAddress]:
    """`change` as `VideoService.attach` takes it: the stored address is read as a
    `DiscordChat` first, so the change works on typed fields, never on JSON keys."""

    def apply(stored: ChatAddress) -> ChatAddress:
        return change(DiscordChat.of(stored))

    return apply
