"""The `ratio` values Runway's SDK (runwayml 5.24.0) types per model family, as literals, and
the pick of one of them for each aspect a user asks for (`aspect_table`).

The catalogue test checks each list against the SDK's types.
"""

from __future__ import annotations

import math

from bot.models import ASPECTS

GEN4 = ("1280:720", "720:1280", "1104:832", "960:960", "832:1104", "1584:672")
WIDE_TALL = ("1280:720", "720:1280")
VEO = ("1280:720", "720:1280", "1080:1920", "1920:1080")
KLING_4K = ("3840:2160", "2160:3840", "2880:2880")
KLING_PRO = ("1920:1080", "1080:1920", "1440:1440")
KLING_STANDARD = ("1280:720", "720:1280", "960:960")
KLING_25 = ("1920:1080", "1440:1440", "1080:1920", "1280:720", "720:720", "720:1280")
KLING_4 = (
    "1280:720", "720:1280", "940:940", "1460:624", "1920:1080", "1080:1920", "1440:1440",
    "2200:940", "auto_720p", "auto_1080p",
)  # fmt: skip
HAILUO = ("adaptive", "21:9", "16:9", "4:3", "1:1", "3:4", "9:16")
HAPPYHORSE = (
    "1280:720", "720:1280", "960:960", "1108:832", "832:1108", "1920:1080", "1080:1920",
    "1440:1440", "1662:1248", "1248:1662",
)  # fmt: skip
SEEDANCE_FAST = (
    "992:432", "864:496", "752:560", "640:640", "560:752", "496:864", "1470:630", "1280:720",
    "1112:834", "960:960", "834:1112", "720:1280",
)  # fmt: skip
SEEDANCE = (
    *SEEDANCE_FAST, "2206:946", "1920:1080", "1664:1248", "1440:1440", "1248:1664",
    "1080:1920", "3840:1646", "3840:2160", "3840:2880", "3840:3840", "2880:3840", "2160:3840",
)  # fmt: skip
SEEDANCE_25 = (
    "992:432", "854:480", "752:560", "640:640", "560:752", "480:854", "1470:630", "1280:720",
    "1112:834", "960:960", "834:1112", "720:1280", "2206:946", "1920:1080", "1664:1248",
    "1440:1440", "1248:1664", "1080:1920",
)  # fmt: skip
GEMINI_11 = (
    "640:360", "360:640", "1280:720", "720:1280", "1920:1080", "1080:1920", "3840:2160",
    "2160:3840",
)  # fmt: skip
GROK_TEXT = ("1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3")
GROK_LITE_TEXT = (
    "848:480", "480:848", "480:480", "640:480", "480:640", "720:480", "480:720", "1280:720",
    "720:1280", "720:720", "960:720", "720:960", "1088:720", "720:1088", "1904:1072",
    "1072:1904", "1424:1424", "1648:1232", "1232:1648", "1744:1152", "1152:1744",
)  # fmt: skip
WAN = (
    "832:480", "720:544", "624:624", "544:720", "480:832", "1280:720", "1104:832", "960:960",
    "832:1104", "720:1280", "1920:1080", "1648:1248", "1440:1440", "1248:1648", "1080:1920",
    "auto_480p", "auto_720p", "auto_1080p",
)  # fmt: skip


_TOLERANCE = 0.02  # 1104:832 is 4:3 within 0.5 %, 1470:630 is 21:9 exactly, 832:480 is not 16:9
_PREFERRED_SIDE = 720  # of several sizes of one aspect, the one nearest 720p (cost, upload)


def _size(value: str) -> tuple[int, int] | None:
    width, _, height = value.partition(":")
    return (int(width), int(height)) if width.isdigit() and height.isdigit() else None


def aspect_table(ratios: tuple[str, ...]) -> dict[str, str]:
    """Aspect name -> the model's own `ratio` value: the same name where the model takes
    aspect names, else the pixel pair of that shape nearest 720p. Values that are no shape
    (`adaptive`, `auto_720p`) are never picked."""
    table: dict[str, str] = {}
    for aspect in ASPECTS:
        if aspect in ratios:
            table[aspect] = aspect
            continue
        aw, ah = (int(x) for x in aspect.split(":"))
        shaped = [(v, s) for v in ratios if (s := _size(v))]
        close = [
            (abs(min(s) - _PREFERRED_SIDE), v)
            for v, s in shaped
            if abs(math.log((s[0] / s[1]) / (aw / ah))) < _TOLERANCE
        ]
        if close:
            table[aspect] = min(close)[1]
    return table
