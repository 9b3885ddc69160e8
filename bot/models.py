"""Platform-neutral value types shared by the core, the vendors and the adapters.

Everything here is plain data: no I/O, no platform imports.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot.chat import ChatAddress, StoredChat
from bot.model_options import ModelOptions

# The aspect ratios users can ask for; each vendor client turns one into its own dialect.
ASPECTS = ("16:9", "9:16", "1:1", "4:3", "3:4", "21:9")

# Pixel pairs from vendor documentation (Runway's `ratio`) that users paste instead of an
# aspect name; accepted as another spelling of that aspect. Runway's client owns the tables
# these come from, and a test keeps the two in step.
PIXEL_ASPECTS = {
    "1280:720": "16:9",
    "720:1280": "9:16",
    "1104:832": "4:3",
    "832:1104": "3:4",
    "960:960": "1:1",
    "1584:672": "21:9",
    "1280:768": "16:9",
    "768:1280": "9:16",
}

# The widest seed range any vendor takes (an unsigned 32-bit number); a model may narrow it.
SEED_MIN = 0
SEED_MAX = 4294967295


class Mode(StrEnum):
    """What kind of generation a request asks for; vendors declare which they can do."""

    TEXT = "text"  # prompt only
    IMAGE = "image"  # first frame
    FIRST_LAST = "first_last"  # first and last frame
    VIDEO = "video"  # video-to-video
    ACT = "act"  # character performance
    UPSCALE = "upscale"  # a finished video made larger (bot.upscale)


class TaskStatus(StrEnum):
    """The normalised vendor task status."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in (TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.CANCELLED)


class JobState(StrEnum):
    """Where a job stands in the engine; persisted, so a restart knows what to do next."""

    QUEUED = "queued"  # credits held, waiting in the bot's queue for a vendor slot
    RESERVED = "reserved"  # credits held, not yet sent to a vendor (older builds; re-queued)
    SUBMITTING = "submitting"  # a create call may be on the wire: outcome unknown after a crash
    RUNNING = "running"  # the vendor accepted it; we poll
    DELIVERING = "delivering"  # the video is downloaded; handing it to the adapter
    DELIVERED = "delivered"  # terminal: charged
    FAILED = "failed"  # terminal: refunded
    CANCELLED = "cancelled"  # terminal: refunded

    @property
    def terminal(self) -> bool:
        return self in (JobState.DELIVERED, JobState.FAILED, JobState.CANCELLED)


ACTIVE_STATES = (
    JobState.QUEUED, JobState.RESERVED, JobState.SUBMITTING, JobState.RUNNING, JobState.DELIVERING,
)  # fmt: skip
# The states of a job the bot has handed to a vendor: what MAX_JOBS_PER_USER bounds.
AT_VENDOR_STATES = (JobState.SUBMITTING, JobState.RUNNING, JobState.DELIVERING)

MAX_GRANT_CREDITS = 1_000_000  # per grant; far above any real need, far below overflow
_PLATFORM = re.compile(r"[a-z][a-z0-9_]{0,15}")
_NUMERIC_ID = re.compile(r"[1-9][0-9]{0,19}")  # Telegram and Discord: positive integers
_WORD_ID = re.compile(r"[A-Za-z0-9_.-]{1,32}")  # console and others: a short safe name
_ID_RULES = {"telegram": _NUMERIC_ID, "discord": _NUMERIC_ID}
_CREDITS = re.compile(r"[+-]?[0-9]{1,7}")


@dataclass(frozen=True, slots=True)
class UserRef:
    """A user on one platform, written `platform:id` (e.g. `telegram:123`)."""

    platform: str
    id: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> UserRef:
        platform, sep, uid = text.strip().partition(":")
        if not sep or not platform or not uid:
            raise ValueError(f"expected platform:id, got {text!r}")
        return cls(platform.lower(), uid)

    @classmethod
    def checked(cls, text: str) -> UserRef:
        """A user id an operator typed (`telegram:123`), checked per platform, so a typo
        never creates a user no one can be; ValueError says what is wrong."""
        platform, sep, uid = text.partition(":")
        platform = platform.lower()
        if not sep or not re.fullmatch(_PLATFORM, platform):
            raise ValueError("expected platform:id, e.g. telegram:12345")
        rule = _ID_RULES.get(platform, _WORD_ID)
        if not re.fullmatch(rule, uid):
            kind = "a positive number" if rule is _NUMERIC_ID else "a short name (A-Z, 0-9, _.-)"
            raise ValueError(f"a {platform} id is {kind}, e.g. {platform}:12345")
        return cls(platform, uid)


def parse_credits(value: str | int) -> int:
    """A grant's credit amount, from -MAX_GRANT_CREDITS to MAX_GRANT_CREDITS; ValueError
    otherwise (so balances stay whole numbers SQLite can hold)."""
    if isinstance(value, str):
        if not re.fullmatch(_CREDITS, value.strip()):
            raise ValueError("credits must be a whole number, e.g. 5 or -5")
        value = int(value)
    if not -MAX_GRANT_CREDITS <= value <= MAX_GRANT_CREDITS:
        raise ValueError(f"credits must be between -{MAX_GRANT_CREDITS} and {MAX_GRANT_CREDITS}")
    return value


@dataclass(frozen=True, slots=True)
class Media:
    """Bytes of an image or a video, already downloaded by the adapter or the core."""

    data: bytes
    mime: str
    filename: str = ""

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")

    @property
    def is_video(self) -> bool:
        return self.mime.startswith("video/")

    def data_uri(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


@dataclass(slots=True)
class VideoRequest:
    """A validated generation request, platform- and vendor-neutral.

    `ratio` is an aspect name such as `16:9`; each vendor turns it into its own dialect.
    """

    prompt: str
    mode: Mode
    model: str | None = None
    duration: int = 5
    ratio: str = "16:9"
    seed: int | None = None
    watermark: bool = False
    first_frame: Media | None = None
    last_frame: Media | None = None
    video: Media | None = None  # source video (VIDEO) or performance (ACT)
    character: Media | None = None  # ACT: the image or video to animate
    body_control: bool = False  # ACT: carry gestures, not only the face
    source_url: str | None = None  # UPSCALE: where the video to upscale can be read
    options: ModelOptions = field(default_factory=ModelOptions)  # --audio, ...: what is set


@dataclass(frozen=True, slots=True)
class JobRequest:
    """What a job asks for, as validation settled it: enough to submit it again after a
    restart, without the media (the store keeps those apart). Stored by
    `bot.job_request`."""

    prompt: str
    mode: Mode
    model: str | None = None  # as the user asked (None: the vendor's default)
    model_shown: str = ""  # the model's name in the user's texts
    duration: int = 5
    ratio: str = "16:9"
    seed: int | None = None
    watermark: bool = False
    body_control: bool = False
    vendors: tuple[str, ...] = ()  # the vendors that accept it, in order of preference
    source_url: str | None = None  # UPSCALE: the earlier result to upscale
    extends: str | None = None  # ⏩ Extend: the job whose video this one continues
    options: ModelOptions = field(default_factory=ModelOptions)  # the optional fields set

    def with_media(self, media: Mapping[str, Media]) -> VideoRequest:
        """The request to submit: this record plus the media stored with the job."""
        return VideoRequest(
            prompt=self.prompt,
            mode=self.mode,
            model=self.model,
            duration=self.duration,
            ratio=self.ratio,
            seed=self.seed,
            watermark=self.watermark,
            body_control=self.body_control,
            source_url=self.source_url,
            options=self.options,
            first_frame=media.get("first_frame"),
            last_frame=media.get("last_frame"),
            video=media.get("video"),
            character=media.get("character"),
        )


@dataclass(slots=True)
class TaskState:
    """One poll's answer from a vendor, normalised."""

    status: TaskStatus
    progress: float | None = None  # 0..1 where the vendor reports it
    video_urls: list[str] = field(default_factory=list)
    failure: str | None = None  # vendor text, for operators
    failure_code: str | None = None
    raw_status: str = ""
    moderated: bool = False  # the vendor refused the content
    # The vendor's own credits for the task where it reports them: its estimate while the
    # task runs, the final charge once it ends (Runway's estimatedCost / cost).
    vendor_cost: float | None = None

    @property
    def video_url(self) -> str | None:
        return self.video_urls[0] if self.video_urls else None


@dataclass(slots=True)
class Job:
    """A persisted generation job as the engine and the adapters see it."""

    id: str
    user: UserRef
    state: JobState
    request: JobRequest  # as validated; the media are stored apart
    cost: int
    locale: str = "en"
    chat: ChatAddress = field(default_factory=StoredChat)  # the adapter's, opaque to the core
    vendor: str | None = None
    vendor_task_id: str | None = None
    progress: float | None = None
    error_code: str | None = None
    error_text: str | None = None
    result_path: str | None = None
    result_url: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    deadline_at: float = 0.0  # in the bot's queue: VIDEO_QUEUE_TIMEOUT; then VIDEO_JOB_TIMEOUT
    attempt: int = 0
    submitted_at: float | None = None  # when it left the bot's queue for a vendor
    vendor_cost: float | None = None  # the vendor's credits for the task, as last reported
    owner: str | None = None  # the process driving it, when several share the database

    @property
    def prompt(self) -> str:
        return self.request.prompt

    @property
    def short_id(self) -> str:
        return self.id[:8]
