"""Small parsing helpers shared by the reseller clients (apiframe, aimlapi, useapi).

Why here: the three resellers disagree on spelling but not on what their answers mean, so
status lookup, progress scaling, result-URL digging and seed clamping are written once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from bot.models import TaskStatus
from bot.vendors.base import ModelSpec
from bot.vendors.http import MODERATION_WORDS

log = logging.getLogger(__name__)

# Keys under which resellers put a result URL, in order of preference.
URL_KEYS = ("videoUrl", "video_url", "url", "urls", "video", "videos", "output")


def lookup_status(vendor: str, raw: Any, table: Mapping[str, TaskStatus]) -> TaskStatus:
    """Map a raw status case-insensitively; unknown strings keep the task running (§1)."""
    text = str(raw or "").strip().lower()
    status = table.get(text)
    if status is None:
        log.warning("%s: unknown task status %r, treating it as running", vendor, raw)
        return TaskStatus.RUNNING
    return status


def parse_progress(value: Any, scale: float = 1.0) -> float | None:
    """A progress number (int, float or numeric string) divided by `scale`, clamped to 0..1."""
    if value is None or isinstance(value, bool):
        return None
    try:
        ratio = float(value) / scale
    except (TypeError, ValueError):
        return None
    if ratio != ratio:  # NaN
        return None
    return min(1.0, max(0.0, ratio))


def find_urls(value: Any) -> list[str]:
    """Every result URL in a string, a list, or an object such as {videoUrl}, {url}, {urls}."""
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [url for item in value for url in find_urls(item)]
    if isinstance(value, dict):
        for key in URL_KEYS:
            urls = find_urls(value.get(key))
            if urls:
                return urls
    return []


def looks_moderated(*texts: Any) -> bool:
    """True when any vendor text reads like a content-policy refusal."""
    low = " ".join(str(t) for t in texts if t).lower()
    return any(word in low for word in MODERATION_WORDS)


def clamp_seed(seed: int | None, spec: ModelSpec) -> int | None:
    """Keep a seed inside the vendor's range (useapi rejects 0 and 2**32-1)."""
    if seed is None:
        return None
    return min(spec.seed_max, max(spec.seed_min, seed))


def bearer(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
