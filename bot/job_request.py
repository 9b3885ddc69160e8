"""A job's request (`bot.models.JobRequest`) in and out of the store.

Stored as JSON under the keys rows have always used; rows written before this record
existed load with the same defaults the engine used to fill in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.model_options import ModelOptions
from bot.models import JobRequest, Mode, VideoRequest


def planned_request(request: VideoRequest, vendors: list[str], model_shown: str) -> JobRequest:
    """The record of a validated request (its media go to the store separately)."""
    return JobRequest(
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
        options=request.options,
    )


def request_to_json(request: JobRequest) -> dict[str, Any]:
    """The stored form; `request_from_json` reads it back."""
    return (
        {
            "prompt": request.prompt,
            "mode": request.mode.value,
            "model": request.model,
            "duration": request.duration,
            "ratio": request.ratio,
            "seed": request.seed,
            "watermark": request.watermark,
            "body_control": request.body_control,
            "vendors": list(request.vendors),
            "model_shown": request.model_shown,
        }
        | ({"source_url": request.source_url} if request.source_url else {})
        | ({"extends": request.extends} if request.extends else {})
        | ({"options": given} if (given := request.options.given()) else {})
    )


def request_from_json(data: Mapping[str, Any]) -> JobRequest:
    """A stored request, also one an earlier version wrote (keys may be missing)."""
    seed = data.get("seed")
    source = data.get("source_url")
    extends = data.get("extends")
    return JobRequest(
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
        source_url=str(source) if source else None,
        extends=str(extends) if extends else None,
        options=ModelOptions.from_json(data.get("options")),
    )
