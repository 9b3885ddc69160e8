"""Chat text -> a typed command, parsed once for every text adapter (Telegram, the console,
Discord's `!video`). The /video and /act options are read by `bot.video_options`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.command_types import (
    BanCommand,
    BuyCommand,
    CancelCommand,
    Command,
    ConfirmCommand,
    ExtendCommand,
    GrantCommand,
    HelpCommand,
    HistoryCommand,
    JobsCommand,
    LinkCommand,
    PaySupportCommand,
    QuotaCommand,
    Refused,
    SettingsCommand,
    ShowCommand,
    StatsCommand,
    TermsCommand,
    UnlinkCommand,
    UpscaleCommand,
)
from bot.errors import InvalidRequest
from bot.group_budget import group_quota_command
from bot.video_options import ASPECT_WORDS, normalise_ratio, typed_video, video_command

__all__ = ["ASPECT_WORDS", "normalise_ratio", "parse", "read", "split_command", "typed_video"]

_COMMAND = re.compile(r"^\s*/([A-Za-z_]+)(?:@[A-Za-z0-9_]+)?(?:\s+|$)(.*)$", re.S)


def split_command(text: str) -> tuple[str, str] | None:
    """("video", "rest of text") for "/video@Bot rest of text"; None if not a command."""
    match = _COMMAND.match(text or "")
    if not match:
        return None
    return match.group(1).lower(), match.group(2).strip()


def read(text: str) -> Command:
    """The command a chat message holds, or the refusal to answer it with; never raises."""
    try:
        return parse(text)
    except InvalidRequest as exc:
        return Refused(exc.key, dict(exc.params))


def parse(text: str) -> Command:
    """Parse a command message; raises InvalidRequest with a catalogue key on bad options
    or a name the core does not answer."""
    split = split_command(text)
    if split is None:
        raise InvalidRequest("unknown_command")
    name, rest = split
    words = rest.split()
    if name in ("video", "act"):
        return video_command(name, words)
    if name in ("grant", "ban", "unban"):
        return _admin(name, words)
    if name == "cancel":
        return CancelCommand(words[0] if words else None)
    if name == "upscale":
        return UpscaleCommand(words[0] if words else "")
    if name == "confirm":
        return ConfirmCommand(words[0] if words else "")
    if name == "link":
        return LinkCommand(words[0] if words else "")
    if name == "show":
        return ShowCommand(words[0] if words else "")
    if name == "groupquota":
        return group_quota_command(words)
    if name == "settings":
        return _settings(rest)
    if name == "extend":  # the prompt after the id, as typed
        parts = rest.split(maxsplit=1)
        return ExtendCommand(*parts) if parts else ExtendCommand()
    simple = _SIMPLE.get(name)
    if simple is None:
        raise InvalidRequest("unknown_command")
    return simple()


# The commands that take no words (any typed after them are ignored, as always).
_SIMPLE: dict[str, Callable[[], Command]] = {
    "quota": QuotaCommand,
    "jobs": JobsCommand,
    "help": HelpCommand,
    "start": HelpCommand,
    "stats": StatsCommand,
    "unlink": UnlinkCommand,
    "buy": BuyCommand,
    "history": HistoryCommand,
    "paysupport": PaySupportCommand,
    "terms": TermsCommand,
}


def _admin(name: str, words: list[str]) -> Command:
    """The admin commands carry their words as typed: a non-admin is refused before any
    is judged, and an empty target asks the handler for its usage text."""
    if name == "grant":
        return GrantCommand(*words) if len(words) == 2 else GrantCommand()
    return BanCommand(words[0] if len(words) == 1 else "", banned=name == "ban")


def _settings(rest: str) -> SettingsCommand:
    """/settings [audit | reset KEY | KEY [VALUE]]: the value is the rest of the line."""
    parts = rest.split(maxsplit=1)
    if not parts:
        return SettingsCommand()
    first = parts[0].lower()
    if first == "audit":
        return SettingsCommand(audit=True)
    if first == "reset":
        return SettingsCommand(key=parts[1].split()[0] if len(parts) > 1 else "", reset=True)
    return SettingsCommand(key=parts[0], value=parts[1] if len(parts) > 1 else "")
