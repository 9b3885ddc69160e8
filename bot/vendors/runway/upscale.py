"""Runway's video upscale (`POST /v1/video_upscale`), a task like any other once created
(the protocol's `submit` sends this body there).

The body is the SDK's `MagnificVideoUpscalerCreative` (runwayml 5.24.0): the model and
`videoUri`, an HTTPS URL of the video (here the earlier job's result URL). The optional
knobs (creativity, flavor, resolution, …) keep Runway's defaults (`2k`).
"""

from __future__ import annotations

from typing import Any

from bot.models import VideoRequest

UPSCALE_MODEL = "magnific_video_upscaler_creative"
UPSCALE_PATH = "/video_upscale"


def upscale_body(req: VideoRequest) -> dict[str, Any]:
    """The create body for an upscale of the video at `req.source_url`."""
    if not req.source_url:
        raise ValueError("an upscale needs the source video's URL")
    return {"model": UPSCALE_MODEL, "videoUri": req.source_url}
