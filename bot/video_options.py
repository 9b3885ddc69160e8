"""The /video and /act options, read the same way for every text adapter.

    /video [--model M] [--duration 5|10] [--ratio R] [--seed N] [--watermark] [--yes] prompt
    /video ratio=9:16 duration=10 a lighthouse in a storm
    /video "a sign that says --seed 5" --ratio portrait
    /act [--body] [--ratio R] [--seed N]

Options stand before or after the prompt, never inside it: a word of the prompt is never
taken as an option, because a misread prompt is a paid video of something else. Aspect names
(portrait, square, ...) are values only (`--ratio portrait`), so "portrait of a woman" stays
the prompt. `key=value` counts only for known option names, so "E=mc2 on a blackboard"
survives, and only before the prompt: after it ("a sign that says ratio=9:16") it may be
meant as words. Anything option-like inside the prompt is refused with both ways to write
what was meant; a prompt in quotes is taken word for word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.command_types import VideoCommand
from bot.errors import InvalidRequest
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
_ALIASES = {"d": "duration", "r": "ratio", "m": "model", "s": "seed", "aspect": "ratio"}
_VALUED = {"duration", "ratio", "model", "seed"}
_KEY_VALUE = {
    "duration": "duration",
    "ratio": "ratio",
    "aspect": "ratio",
    "model": "model",
    "seed": "seed",
}
_QUOTES = {'"': '"', "“": "”", "'": "'", "‘": "’", "「": "」", "«": "»"}
_QUOTE_CHARS = "".join(dict.fromkeys([*_QUOTES, *_QUOTES.values()]))
_SHOWN_MAX = 300  # characters of a suggested command in a refusal
_FLAGS = {"watermark", "body", "yes"}  # --yes: no cost question
_Values = dict[str, Any]  # a VideoCommand's fields while its options are read
_EXAMPLES = {"duration": "--duration 10", "ratio": "--ratio 9:16", "model": "--model gen4_turbo"}


@dataclass(slots=True)
class _Option:
    key: str
    value: str | None  # None for a flag
    typed: list[str]  # the words as the user wrote them
    dashed: bool  # --key (unambiguous) rather than key=value

    def canonical(self) -> str:
        return f"--{self.key}" if self.value is None else f"--{self.key} {self.value}"


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


def video_command(name: str, words: list[str]) -> VideoCommand:
    """/video or /act from the words after the name."""
    values: _Values = {"act": name == "act"}
    lead, start = _take(words, 0)
    quoted = _quoted(words, start)
    if quoted is not None:
        values["prompt"], tail = quoted
        _apply_all(values, lead + tail)
        return VideoCommand(**values)
    prompt, after, inside, end = _scan(words, start)
    _apply_all(values, lead + after)
    if inside:
        raise _inside_prompt(name, lead + after, inside, prompt, " ".join(words[start:end]))
    values["prompt"] = " ".join(prompt).strip().strip(_QUOTE_CHARS).strip()
    return VideoCommand(**values)


def typed_video(
    prompt: str,
    *,
    duration: int | str | None = None,
    ratio: str | None = None,
    seed: int | None = None,
    model: str | None = None,
) -> VideoCommand:
    """/video from a form's typed fields (a Discord slash command or modal).

    The prompt field is the prompt, word for word: it is never parsed for options.
    """
    values: _Values = {"prompt": " ".join(prompt.split())}
    fields = (("duration", duration), ("ratio", ratio), ("seed", seed), ("model", model))
    for key, value in fields:
        if value is not None and str(value).strip():
            _apply(values, key, str(value).strip())
    return VideoCommand(**values)


def _option(word: str) -> tuple[str, str | None, bool] | None:
    """(option name, inline value, dashed) for an option word; None for a prompt word."""
    dash = 2 if word.startswith("--") else 1 if word.startswith("—") else 0
    if dash:  # phones turn "--" into an em dash
        name, _, value = word[dash:].partition("=")
        key = _ALIASES.get(name.lower(), name.lower())
        if key in _VALUED or key in _FLAGS:
            return key, value or None, True
        if dash == 2 and name[:1].isalpha():
            raise InvalidRequest("err_option_unknown", option=word[:30])
        return None  # "---", "--", an em dash in prose
    name, sep, value = word.partition("=")
    known = _KEY_VALUE.get(name.lower())
    return (known, value, False) if sep and known and value else None


def _take(words: list[str], i: int) -> tuple[list[_Option], int]:
    """The options from `words[i]` on, up to the first prompt word; and where that is."""
    found: list[_Option] = []
    while i < len(words):
        option = _option(words[i])
        if option is None:
            break
        key, value, dashed = option
        typed = [words[i]]
        if key in _FLAGS:
            value = None
        elif value is None:
            if i + 1 >= len(words) or words[i + 1].startswith("--"):
                example = _EXAMPLES.get(key, f"--{key} 7")
                raise InvalidRequest("err_option_value", option=f"--{key}", example=example)
            i += 1
            value = words[i]
            typed.append(value)
        found.append(_Option(key, value, typed, dashed))
        i += 1
    return found, i


def _quoted(words: list[str], i: int) -> tuple[str, list[_Option]] | None:
    """(prompt, options after it) when the prompt is in quotes and only options follow."""
    if i >= len(words) or words[i][:1] not in _QUOTES:
        return None
    close = _QUOTES[words[i][0]]
    for j in range(len(words) - 1, i - 1, -1):
        if words[j].endswith(close) and (j > i or len(words[j]) > 1):
            tail, stop = _take(words, j + 1)
            if stop == len(words):
                return " ".join(words[i : j + 1])[1:-1].strip(), tail
    return None


def _scan(words: list[str], i: int) -> tuple[list[str], list[_Option], list[_Option], int]:
    """(prompt words, options, those of them inside the prompt, end of the prompt's text).

    Options after the prompt count only as a block that starts with a `--` option.
    """
    prompt: list[str] = []
    options: list[_Option] = []
    inside: list[_Option] = []
    pending: list[_Option] = []  # after some prompt words; inside if more words follow
    end = i
    while i < len(words):
        if _option(words[i]) is None:
            inside += pending
            pending = []
            prompt.append(words[i])
            i += 1
            end = i
            continue
        found, i = _take(words, i)
        options += found
        pending += found
    if pending and not pending[0].dashed:
        inside += pending
        end = len(words)
    return prompt, options, inside, end


def _inside_prompt(
    name: str, options: list[_Option], inside: list[_Option], prompt: list[str], text: str
) -> InvalidRequest:
    """The refusal for options inside the prompt, with the command written both ways."""
    kept = [o.canonical() for o in options if not any(o is x for x in inside)]
    words = " ".join(prompt).strip(_QUOTE_CHARS)  # a quote left open is closed here
    fixed = " ".join([f"/{name}", *(o.canonical() for o in options), words])
    quoted = " ".join([f"/{name}", *kept, f'"{text.strip(_QUOTE_CHARS)}"'])
    return InvalidRequest(
        "err_option_in_prompt",
        option=" ".join(inside[0].typed)[:40],
        fixed=_shown(fixed),
        quoted=_shown(quoted),
    )


def _shown(command: str) -> str:
    return command if len(command) <= _SHOWN_MAX else command[: _SHOWN_MAX - 1] + "…"


def _apply_all(values: _Values, options: list[_Option]) -> None:
    for option in options:
        if option.value is None:
            values[option.key] = True
        else:
            _apply(values, option.key, option.value)


def _apply(values: _Values, key: str, value: str) -> None:
    if key == "duration":
        values["duration"] = _duration(value)
    elif key == "ratio":
        values["ratio"] = normalise_ratio(value)
    elif key == "seed":
        values["seed"] = _seed(value)
    elif key == "model":
        values["model"] = value.strip().lower()[:40]
