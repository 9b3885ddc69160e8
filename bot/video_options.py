"""The /video and /act options, read the same way for every text adapter.

    /video [--model M] [--duration 5|10] [--ratio R] [--seed N] [--watermark] [--yes] prompt
    /video ratio=9:16 duration=10 a lighthouse in a storm
    /video "a sign that says --seed 5" --ratio portrait
    /video --model veo3.1 --audio --negative "text, watermarks" a choir in a cathedral
    /act [--body] [--ratio R] [--seed N] [--expression 1-5] [--moderation low|auto]

The model's optional fields (bot.model_options) are dashed options only: --audio/--no-audio,
--negative "…" (taken word for word between its quotes), --moderation low|auto,
--expression 1-5 and --resolution 720p; whether the model takes them is validation's call.

Options stand before or after the prompt, never inside it: a word of the prompt is never
taken as an option, because a misread prompt is a paid video of something else. Aspect names
(portrait, square, ...) are values only (`--ratio portrait`), so "portrait of a woman" stays
the prompt. `key=value` counts only for known option names, so "E=mc2 on a blackboard"
survives, and only before the prompt: after it ("a sign that says ratio=9:16") it may be
meant as words. Anything option-like inside the prompt is refused with both ways to write
what was meant; a prompt in quotes is taken word for word.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.command_types import VideoCommand
from bot.errors import InvalidRequest
from bot.option_values import ASPECT_WORDS as ASPECT_WORDS
from bot.option_values import EXAMPLES, READERS, apply
from bot.option_values import normalise_ratio as normalise_ratio

_ALIASES = {
    "d": "duration",
    "r": "ratio",
    "m": "model",
    "s": "seed",
    "aspect": "ratio",
    "negative-prompt": "negative",
    "res": "resolution",
}
_VALUED = frozenset(READERS)  # the options that take a value
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
_FLAGS = {"watermark", "body", "yes", "audio", "no-audio"}  # --yes: no cost question
_Values = dict[str, Any]  # a VideoCommand's fields while its options are read


@dataclass(slots=True)
class _Option:
    key: str
    value: str | None  # None for a flag
    typed: list[str]  # the words as the user wrote them
    dashed: bool  # --key (unambiguous) rather than key=value

    def canonical(self) -> str:
        if self.value is None:
            return f"--{self.key}"
        value = f'"{self.value}"' if " " in self.value else self.value
        return f"--{self.key} {value}"


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
    audio: bool | None = None,
    negative: str | None = None,
    moderation: str | None = None,
    expression: int | None = None,
    resolution: str | None = None,
) -> VideoCommand:
    """/video from a form's typed fields (a Discord slash command or modal).

    The prompt field is the prompt, word for word: it is never parsed for options; so is
    the negative prompt's.
    """
    values: _Values = {"prompt": " ".join(prompt.split()), "audio": audio}
    fields = (
        ("duration", duration),
        ("ratio", ratio),
        ("seed", seed),
        ("model", model),
        ("negative", negative),
        ("moderation", moderation),
        ("expression", expression),
        ("resolution", resolution),
    )
    for key, value in fields:
        if value is not None and str(value).strip():
            apply(values, key, str(value))
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
                example = EXAMPLES.get(key, f"--{key} 7")
                raise InvalidRequest("err_option_value", option=f"--{key}", example=example)
            value, end = _value(words, i + 1, key)
            typed += words[i + 1 : end + 1]
            i = end
        found.append(_Option(key, value, typed, dashed))
        i += 1
    return found, i


def _closing(words: list[str], i: int) -> list[int]:
    """Where the quote opening `words[i]` may close: each word from it that ends in its mate."""
    close = _QUOTES[words[i][0]]
    return [
        j for j in range(i, len(words)) if words[j].endswith(close) and (j > i or len(words[j]) > 1)
    ]


def _value(words: list[str], i: int, key: str) -> tuple[str, int]:
    """(an option's value, the index of its last word): one word, or a quoted run of words
    (`--negative "text, logos"`) taken word for word without its quotes. A quote that never
    closes is refused: where the value ends would be a guess."""
    if words[i][:1] not in _QUOTES:
        return words[i], i
    ends = _closing(words, i)
    if not ends:
        example = EXAMPLES.get(key, f'--{key} "…"')
        raise InvalidRequest("err_option_unclosed", option=f"--{key}", example=example)
    return " ".join(words[i : ends[0] + 1])[1:-1], ends[0]


def _quoted(words: list[str], i: int) -> tuple[str, list[_Option]] | None:
    """(prompt, options after it) when the prompt is in quotes and only options follow.

    The prompt closes at the first closing quote after which everything reads as options
    with good values (`"a fox" --negative "snow"`), else at the last one after which only
    options follow (`"he said "no" to me" --seed 5`; their values are judged there)."""
    if i >= len(words) or words[i][:1] not in _QUOTES:
        return None
    last: tuple[str, list[_Option]] | None = None
    for j in _closing(words, i):
        try:
            tail, stop = _take(words, j + 1)
            if stop != len(words):
                continue
            _apply_all({}, tail)
        except InvalidRequest:
            continue
        return " ".join(words[i : j + 1])[1:-1].strip(), tail
    for j in reversed(_closing(words, i)):
        tail, stop = _take(words, j + 1)
        if stop == len(words):
            last = " ".join(words[i : j + 1])[1:-1].strip(), tail
            break
    return last


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
        if option.key in ("audio", "no-audio"):
            values["audio"] = option.key == "audio"
        elif option.value is None:
            values[option.key] = True
        else:
            apply(values, option.key, option.value)
