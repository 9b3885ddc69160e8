"""What each /video option's value may be: one reader per option, shared by the typed
commands (`bot.video_options`) and the forms (Discord's slash command).

A value that is not what the option takes is refused here with a catalogue key saying how to
write it; whether the chosen model takes it is validation's call.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.errors import InvalidRequest
from bot.model_options import EXPRESSION_MAX, EXPRESSION_MIN, MODERATION_LEVELS, NEGATIVE_MAX
from bot.models import PIXEL_ASPECTS

ASPECT_WORDS = {
    "landscape": "16:9",
    "horizontal": "16:9",
    "wide": "16:9",
    "widescreen": "16:9",
    "portrait": "9:16",
    "vertical": "9:16",
    "square": "1:1",
    "ultrawide": "21:9",
    "cinema": "21:9",
    "cinematic": "21:9",
    "横屏": "16:9",
    "竖屏": "9:16",
    "方形": "1:1",
}
EXAMPLES = {
    "duration": "--duration 10",
    "ratio": "--ratio 9:16",
    "model": "--model gen4_turbo",
    "negative": '--negative "blurry, text"',
    "moderation": "--moderation low",
    "expression": "--expression 3",
    "resolution": "--resolution 720p",
}


def normalise_ratio(value: str) -> str:
    """Aspect name for any accepted spelling: 16:9, 16x9, 16/9, landscape, 1280:720."""
    raw = value.strip().lower()
    if raw in ASPECT_WORDS:
        return ASPECT_WORDS[raw]
    cleaned = re.sub(r"\s*[x×/:]\s*", ":", raw)
    if cleaned in PIXEL_ASPECTS:
        return PIXEL_ASPECTS[cleaned]
    if re.fullmatch(r"\d{1,2}:\d{1,2}", cleaned):
        return cleaned
    raise InvalidRequest("err_ratio_unknown", ratio=value[:20])


def _duration(value: str) -> int:
    match = re.fullmatch(r"(\d{1,3})\s*(s|sec|secs|seconds|秒)?", value.strip().lower())
    if not match:
        raise InvalidRequest("err_duration_format", duration=value[:20])
    return int(match.group(1))


def _seed(value: str) -> int:
    if not re.fullmatch(r"\d{1,12}", value.strip()):
        raise InvalidRequest("err_seed", min=0, max=4294967295)
    return int(value)


def _level(value: str) -> str:
    level = value.strip().lower()
    if level not in MODERATION_LEVELS:
        raise InvalidRequest("err_moderation", value=value[:20])
    return level


def _expression(value: str) -> int:
    raw = value.strip()
    if not re.fullmatch(r"\d{1,2}", raw) or not EXPRESSION_MIN <= int(raw) <= EXPRESSION_MAX:
        raise InvalidRequest("err_expression", min=EXPRESSION_MIN, max=EXPRESSION_MAX)
    return int(raw)


def _resolution(value: str) -> str:
    raw = value.strip().lower()
    if not re.fullmatch(r"\d{3,4}p|\dk", raw):
        raise InvalidRequest("err_resolution_format", resolution=value[:20])
    return raw


def _negative(value: str) -> str:
    """The negative prompt word for word (only the spaces around it go)."""
    text = value.strip()
    if not text:
        raise InvalidRequest("err_option_value", option="--negative", example=EXAMPLES["negative"])
    if len(text) > NEGATIVE_MAX:
        raise InvalidRequest("err_negative_long", length=len(text), max=NEGATIVE_MAX)
    return text


def _model(value: str) -> str:
    return value.strip().lower()[:40]


# VideoCommand field -> the reader of its option's value as typed.
READERS: dict[str, Callable[[str], Any]] = {
    "duration": _duration,
    "ratio": normalise_ratio,
    "seed": _seed,
    "model": _model,
    "negative": _negative,
    "moderation": _level,
    "expression": _expression,
    "resolution": _resolution,
}


def apply(values: dict[str, Any], key: str, value: str) -> None:
    """Set VideoCommand field `key` in `values` from the option's value as typed."""
    values[key] = READERS[key](value)
