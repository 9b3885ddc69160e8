"""The chat syntax, parsed once for every adapter.

    /video [--model M] [--duration 5|10] [--ratio R] [--seed N] [--watermark] prompt
    /video ratio=9:16 duration=10 a lighthouse in a storm
    /video portrait a lighthouse in a storm        (a leading aspect name is an option)
    /act [--body] [--ratio R] [--seed N]

Options may stand anywhere; everything else is the prompt. Only known option names are
taken from `key=value` words, so a prompt such as "E=mc2 on a blackboard" survives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.errors import InvalidRequest
from bot.vendors.base import GEN3_PIXELS, GEN4_PIXELS

_COMMAND = re.compile(r"^\s*/([A-Za-z_]+)(?:@[A-Za-z0-9_]+)?(?:\s+|$)(.*)$", re.S)

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
_PIXELS = {v: k for table in (GEN4_PIXELS, GEN3_PIXELS) for k, v in table.items()}
_ALIASES = {"d": "duration", "r": "ratio", "m": "model", "s": "seed", "aspect": "ratio"}
_VALUED = {"duration", "ratio", "model", "seed"}
_FLAGS = {"watermark", "body"}
_EXAMPLES = {"duration": "--duration 10", "ratio": "--ratio 9:16", "model": "--model gen4_turbo"}


@dataclass(slots=True)
class ParsedCommand:
    """A chat command split into its name, options and free text."""

    name: str
    prompt: str = ""
    model: str | None = None
    duration: int | None = None
    ratio: str | None = None
    seed: int | None = None
    watermark: bool = False
    body: bool = False
    args: list[str] = field(default_factory=list)  # raw words, for non-video commands


def split_command(text: str) -> tuple[str, str] | None:
    """("video", "rest of text") for "/video@Bot rest of text"; None if not a command."""
    match = _COMMAND.match(text or "")
    if not match:
        return None
    return match.group(1).lower(), match.group(2).strip()


def normalise_ratio(value: str) -> str:
    """Aspect name for any accepted spelling: 16:9, 16x9, 16/9, landscape, 1280:720."""
    raw = value.strip().lower()
    if raw in ASPECT_WORDS:
        return ASPECT_WORDS[raw]
    cleaned = re.sub(r"\s*[x×/:]\s*", ":", raw)
    if cleaned in _PIXELS:
        return _PIXELS[cleaned]
    if re.fullmatch(r"\d{1,2}:\d{1,2}", cleaned):
        return cleaned
    raise InvalidRequest("err_ratio_unknown", ratio=value[:20])


def _duration(value: str) -> int:
    match = re.fullmatch(r"(\d{1,3})\s*(s|sec|secs|seconds|秒)?", value.strip().lower())
    if not match:
        raise InvalidRequest("err_duration", model="this model", allowed="5 or 10", duration=value)
    return int(match.group(1))


def _seed(value: str) -> int:
    if not re.fullmatch(r"\d{1,12}", value.strip()):
        raise InvalidRequest("err_seed", min=0, max=4294967295)
    return int(value)


def parse(text: str) -> ParsedCommand:
    """Parse a command message; raises InvalidRequest with a catalogue key on bad options."""
    split = split_command(text)
    if split is None:
        raise InvalidRequest("unknown_command")
    name, rest = split
    cmd = ParsedCommand(name=name, args=rest.split())
    if name not in ("video", "act"):
        return cmd

    words = rest.split()
    prompt: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        key, value = _option(word)
        if key is None:
            if not prompt and word.lower() in ASPECT_WORDS and cmd.ratio is None:
                cmd.ratio = ASPECT_WORDS[word.lower()]
            else:
                prompt.append(word)
            i += 1
            continue
        if key in _FLAGS:
            setattr(cmd, key, True)
            i += 1
            continue
        if value is None:
            if i + 1 >= len(words) or words[i + 1].startswith("--"):
                raise InvalidRequest(
                    "err_option_value", option=f"--{key}", example=_EXAMPLES.get(key, f"--{key} 7")
                )
            value = words[i + 1]
            i += 1
        i += 1
        _apply(cmd, key, value)
    cmd.prompt = " ".join(prompt).strip().strip("\"'“”‘’「」").strip()
    return cmd


def _option(word: str) -> tuple[str | None, str | None]:
    """(option name, inline value) for an option word, (None, None) for prompt words."""
    if word.startswith("—"):  # phones turn "--" into an em dash
        word = "--" + word[1:]
    if word.startswith("--") and len(word) > 2:
        name, _, value = word[2:].partition("=")
        key = _ALIASES.get(name.lower(), name.lower())
        if key not in _VALUED and key not in _FLAGS:
            raise InvalidRequest("err_option_unknown", option=word[:30])
        return key, value or None
    name, sep, value = word.partition("=")
    key = _ALIASES.get(name.lower(), name.lower())
    if sep and key in _VALUED and value:
        return key, value
    return None, None


def _apply(cmd: ParsedCommand, key: str, value: str) -> None:
    if key == "duration":
        cmd.duration = _duration(value)
    elif key == "ratio":
        cmd.ratio = normalise_ratio(value)
    elif key == "seed":
        cmd.seed = _seed(value)
    elif key == "model":
        cmd.model = value.strip().lower()[:40]
