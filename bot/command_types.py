"""The commands the core answers, as typed data.

Adapters build one of these (text adapters through `bot.commands.read`, forms straight
from their fields) and hand it to `VideoService.handle`; nothing past this point reads a
line of chat text again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from bot.model_options import ModelOptions


@dataclass(frozen=True, slots=True)
class VideoCommand:
    """/video (or /act with `act`): the options as typed, not yet checked against a model."""

    prompt: str = ""
    model: str | None = None
    duration: int | None = None
    ratio: str | None = None
    seed: int | None = None
    watermark: bool = False
    body: bool = False  # /act: carry gestures, not only the face
    act: bool = False
    yes: bool = False  # --yes: start without asking about the cost
    # the model's optional fields (bot.model_options): --audio/--no-audio, --negative "…",
    # --moderation low|auto, --expression 1-5, --resolution 720p
    audio: bool | None = None
    negative: str = ""
    moderation: str = ""
    expression: int | None = None
    resolution: str = ""

    @property
    def name(self) -> str:
        return "act" if self.act else "video"

    @property
    def options(self) -> ModelOptions:
        return ModelOptions(
            audio=self.audio,
            negative=self.negative,
            moderation=self.moderation,
            expression=self.expression,
            resolution=self.resolution,
        )


@dataclass(frozen=True, slots=True)
class QuotaCommand:
    name: ClassVar[str] = "quota"


@dataclass(frozen=True, slots=True)
class JobsCommand:
    name: ClassVar[str] = "jobs"


@dataclass(frozen=True, slots=True)
class CancelCommand:
    """/cancel [job]: without a job, the user's only active one."""

    job_ref: str | None = None
    name: ClassVar[str] = "cancel"


@dataclass(frozen=True, slots=True)
class UpscaleCommand:
    """/upscale [job]: without a job, the user's latest delivered video."""

    job_ref: str = ""
    name: ClassVar[str] = "upscale"


@dataclass(frozen=True, slots=True)
class ShowCommand:
    """/show ID: a past video sent again in the chat where it is asked."""

    job_ref: str = ""
    name: ClassVar[str] = "show"


@dataclass(frozen=True, slots=True)
class ExtendCommand:
    """/extend ID [prompt]: the video continued from its last frame (the prompt as typed;
    empty: the video's own)."""

    job_ref: str = ""
    prompt: str = ""
    name: ClassVar[str] = "extend"


@dataclass(frozen=True, slots=True)
class HelpCommand:
    name: ClassVar[str] = "help"


@dataclass(frozen=True, slots=True)
class GrantCommand:
    """/grant user credits, as typed: the target needs the sender's platform to resolve,
    and a non-admin is told so before any word is judged. Empty when not two words."""

    user: str = ""
    credits: str = ""
    name: ClassVar[str] = "grant"


@dataclass(frozen=True, slots=True)
class BanCommand:
    """/ban user or /unban user; `user` is empty when not one word."""

    user: str = ""
    banned: bool = True

    @property
    def name(self) -> str:
        return "ban" if self.banned else "unban"


@dataclass(frozen=True, slots=True)
class ConfirmCommand:
    """/confirm [question]: start the job a cost question asked about (the user's latest
    question when none is named)."""

    token: str = ""
    name: ClassVar[str] = "confirm"


@dataclass(frozen=True, slots=True)
class LinkCommand:
    """/link: a one-time code; /link CODE: join this user to the code's account."""

    code: str = ""
    name: ClassVar[str] = "link"


@dataclass(frozen=True, slots=True)
class UnlinkCommand:
    name: ClassVar[str] = "unlink"


@dataclass(frozen=True, slots=True)
class StatsCommand:
    name: ClassVar[str] = "stats"


@dataclass(frozen=True, slots=True)
class BuyCommand:
    name: ClassVar[str] = "buy"


@dataclass(frozen=True, slots=True)
class HistoryCommand:
    name: ClassVar[str] = "history"


@dataclass(frozen=True, slots=True)
class PaySupportCommand:
    name: ClassVar[str] = "paysupport"


@dataclass(frozen=True, slots=True)
class TermsCommand:
    name: ClassVar[str] = "terms"


@dataclass(frozen=True, slots=True)
class GroupQuotaCommand:
    """/groupquota: show today's use (`show`), set the daily pool (`set`), cap each
    member's share (`member`; no credits lifts the cap) or remove the pool (`off`)."""

    action: Literal["show", "set", "member", "off"] = "show"
    credits: int | None = None
    name: ClassVar[str] = "groupquota"


@dataclass(frozen=True, slots=True)
class SettingsCommand:
    """/settings (every changeable setting), /settings KEY (one), /settings KEY VALUE (the
    value as typed, the rest of the line), /settings reset KEY, /settings audit."""

    key: str = ""
    value: str = ""
    reset: bool = False
    audit: bool = False
    name: ClassVar[str] = "settings"


@dataclass(frozen=True, slots=True)
class Refused:
    """A line of text that is no command the core answers: the refusal to send instead
    (a catalogue key and its values)."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    name: ClassVar[str] = ""


Command = (
    VideoCommand
    | QuotaCommand
    | JobsCommand
    | CancelCommand
    | UpscaleCommand
    | ShowCommand
    | ExtendCommand
    | HelpCommand
    | GrantCommand
    | BanCommand
    | StatsCommand
    | ConfirmCommand
    | LinkCommand
    | UnlinkCommand
    | BuyCommand
    | HistoryCommand
    | PaySupportCommand
    | TermsCommand
    | GroupQuotaCommand
    | SettingsCommand
    | Refused
)

# The commands only admins may run; everyone else is told so before anything else.
ADMIN_ONLY: tuple[type[Command], ...] = (GrantCommand, BanCommand, StatsCommand, SettingsCommand)
