"""What a job asks for, as validation settled it: enough to submit it again after a
restart, without the media (the store keeps those apart).

Stored as JSON under the keys rows have always used; rows written before this record
existed load with the same defaults the engine used to fill in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.models import Media, Mode, VideoRequest


@dataclass(frozen=True, slots=True)
class JobRequest:
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

    @classmethod
    def planned(cls, request: VideoRequest, vendors: list[str], model_shown: str) -> JobRequest:
        """The record of a validated request (its media go to the store separately)."""
        return cls(
            prompt=request.prompt,
            mode=request.mode,
            model=request.model,
            model_shown=model_shown,
            duration=request.duration,
            ratio=request.ratio,
            seed=request.seed,
            watermark=request.watermark,
            body_control=request.body_control,
            vendors=tuple(vendors),
        )

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
            first_frame=media.get("first_frame"),
            last_frame=media.get("last_frame"),
            video=media.get("video"),
            character=media.get("character"),
        )

    def to_json(self) -> dict[str, Any]:
        """The stored form; `from_json` reads it back."""
        return {
            "prompt": self.prompt,
            "mode": self.mode.value,
            "model": self.model,
            "duration": self.duration,
            "ratio": self.ratio,
            "seed": self.seed,
            "watermark": self.watermark,
            "body_control": self.body_control,
            "vendors": list(self.vendors),
            "model_shown": self.model_shown,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> JobRequest:
        """A stored request, also one an earlier version wrote (keys may be missing)."""
        seed = data.get("seed")
        return cls(
            prompt=str(data.get("prompt") or ""),
            mode=Mode(data.get("mode") or Mode.TEXT),
            model=data.get("model"),
            model_shown=str(data.get("model_shown") or ""),
            duration=int(data.get("duration") or 5),
            ratio=str(data.get("ratio") or "16:9"),
            seed=None if seed is None else int(seed),
            watermark=bool(data.get("watermark", False)),
            body_control=bool(data.get("body_control", False)),
            vendors=tuple(str(v) for v in data.get("vendors") or ()),
        )
