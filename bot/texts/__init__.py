"""Every user-facing text, in English and Simplified Chinese, in one catalogue.

Adapters pass the user's platform locale; `t()` picks the language and fills the fields.
Keys stay stable so tests and adapters can refer to them. The texts live by subject in the
modules beside this one; `CATALOG` merges them and refuses a key defined twice or missing a
language, so a wrong catalogue stops the bot at start-up rather than mid-reply.
"""

from __future__ import annotations

from typing import Any

from bot.texts import (
    account,
    admin,
    commands,
    failures,
    groups,
    options,
    payments,
    refusals,
    results,
    settings,
    status,
    upscale,
)

LOCALES = ("en", "zh")


def merge(*parts: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """One catalogue from the subject modules; ValueError on a repeated or half-translated key."""
    merged: dict[str, dict[str, str]] = {}
    for part in parts:
        for key, entry in part.items():
            if key in merged:
                raise ValueError(f"text key {key!r} is defined twice")
            missing = [locale for locale in LOCALES if not entry.get(locale)]
            if missing:
                raise ValueError(f"text key {key!r} lacks {', '.join(missing)}")
            merged[key] = entry
    return merged


CATALOG: dict[str, dict[str, str]] = merge(
    commands.TEXTS,
    status.TEXTS,
    refusals.TEXTS,
    options.TEXTS,
    failures.TEXTS,
    admin.TEXTS,
    upscale.TEXTS,
    account.TEXTS,
    results.TEXTS,
    payments.TEXTS,
    groups.TEXTS,
    settings.TEXTS,
)


def norm_locale(code: str | None) -> str:
    """Platform language code (`zh-hans`, `zh_CN`, `zh-TW`, `en-US`, ...) -> catalogue locale."""
    if code and code.lower().replace("_", "-").startswith("zh"):
        return "zh"
    return "en"


def t(locale: str | None, key: str, **params: Any) -> str:
    """The catalogue text for `key` in `locale`, with `params` filled in."""
    entry = CATALOG[key]
    text = entry.get(norm_locale(locale)) or entry["en"]
    return text.format(**params) if params else text


def progress_bar(progress: float | None, width: int = 10) -> str:
    if progress is None:
        return ""
    filled = max(0, min(width, round(progress * width)))
    return "▰" * filled + "▱" * (width - filled) + f" {round(progress * 100)}%"


def duration_text(seconds: float, locale: str | None) -> str:
    hours, rem = divmod(max(0, int(seconds)), 3600)
    minutes = rem // 60
    if norm_locale(locale) == "zh":
        return f"{hours} 小时 {minutes} 分钟" if hours else f"{minutes} 分钟"
    return f"{hours}h {minutes}m" if hours else f"{minutes}m"


def ordinal(n: int, locale: str | None) -> str:
    """1st, 2nd, 3rd, 11th ... in English; the number alone in Chinese ("第 {place} 位")."""
    if norm_locale(locale) == "zh":
        return str(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def eta_text(seconds: float, locale: str | None) -> str:
    """A wait as a person says it, rounded up to the minute: "4 min", "1 h 20 min"."""
    minutes = max(1, -(-int(seconds) // 60))
    hours, minutes = divmod(minutes, 60)
    if norm_locale(locale) == "zh":
        return f"{hours} 小时 {minutes} 分钟" if hours else f"{minutes} 分钟"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"
