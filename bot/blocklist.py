"""PROMPT_BLOCKLIST: words and regular expressions no prompt may contain.

The file is UTF-8, one entry a line:

- blank lines, and lines whose first visible character is `#`, are skipped;
- `re:<pattern>` is a regular expression (Python `re` syntax), found anywhere in the prompt;
- any other line is a word or phrase, matched as a whole word: `gore` refuses "Gore!" but
  not "gorilla"; a space inside a phrase stands for any run of white space. An entry that
  begins or ends in a script written without spaces (Chinese, Japanese, Thai, ...) matches
  anywhere on that side, since such text has no word boundaries to look for.

Spaces around an entry are ignored. Matching ignores case and is done on a copy of the prompt
in Unicode NFKC form, case-folded, without invisible format characters (zero-width spaces,
joiners, soft hyphens): fullwidth "ＧＯＲＥ" and "go\u200bre" are "gore". The prompt the
vendor gets is still the one typed.

Cost: the file is read and compiled once, at start and on SIGHUP; all words share one
pattern. A prompt is checked after the model's length check, so it is at most the model's
prompt limit (1,000 characters on Runway). Python's `re` backtracks, and a pattern that
repeats a variable repetition, like `(a+)+` or `(\\w+\\s?)*`, can take exponential time on a
crafted prompt: such a pattern, or one that matches an empty prompt, is refused at start with
the line it is on. Possessive repeats (`a++`) and atomic groups (`(?>...)`) are accepted.
"""

from __future__ import annotations

import importlib
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("videobot.blocklist")

REGEX_PREFIX = "re:"
# Scripts whose words are written without spaces between them (by Unicode character name).
_UNSPACED = ("CJK ", "HIRAGANA", "KATAKANA", "THAI ", "LAO ", "KHMER ", "MYANMAR ", "TIBETAN ")
# The parser behind `re.compile`; private, so typed as Any (the pattern check below needs
# the parsed tree, which no public API gives).
_parser: Any = importlib.import_module("re._parser")


class BlocklistError(ValueError):
    """The blocklist file cannot be read, or a line of it is wrong; the message names it."""


def normalise(text: str) -> str:
    """The form prompts and words are compared in: NFKC, case-folded, no format characters."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")


def _unspaced(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith(_UNSPACED)


def word_pattern(word: str) -> str:
    """A phrase as a regular expression: literal, any white space between its words, and a
    word boundary at each end that is a letter or digit of a script written with spaces."""
    body = r"\s+".join(re.escape(part) for part in word.split())
    head = r"(?<!\w)" if word[0].isalnum() and not _unspaced(word[0]) else ""
    tail = r"(?!\w)" if word[-1].isalnum() and not _unspaced(word[-1]) else ""
    return head + body + tail


def _subpatterns(value: Any) -> Iterable[Any]:
    """The parsed subpatterns inside one node's argument (branches, group bodies, ...)."""
    if hasattr(value, "data"):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _subpatterns(item)


def _backtracks(sub: Any) -> bool:
    """Whether `sub` holds a repetition of variable count the engine can backtrack into."""
    for op, arg in sub:
        name = getattr(op, "name", "")
        if name in ("ATOMIC_GROUP", "POSSESSIVE_REPEAT"):
            continue
        if name in ("MAX_REPEAT", "MIN_REPEAT") and arg[0] < arg[1]:
            return True
        if any(_backtracks(inner) for inner in _subpatterns(arg)):
            return True
    return False


def nested_repeat(sub: Any) -> bool:
    """Whether a parsed pattern repeats something that itself repeats a variable number of
    times, the shape of exponential backtracking (`(a+)+`, `(x|y*)*`)."""
    for op, arg in sub:
        name = getattr(op, "name", "")
        if name in ("MAX_REPEAT", "MIN_REPEAT") and arg[1] > 1 and _backtracks(arg[2]):
            return True
        if any(nested_repeat(inner) for inner in _subpatterns(arg)):
            return True
    return False


def compile_regex(pattern: str) -> re.Pattern[str]:
    """One `re:` entry, compiled; ValueError saying what is wrong with it."""
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression ({exc.msg})") from None
    if nested_repeat(_parser.parse(pattern, re.IGNORECASE)):
        raise ValueError(
            "repeats a repetition (like (a+)+), which can take exponential time; "
            "use a possessive a++ or an atomic group (?>...) inside"
        )
    if compiled.search(""):
        raise ValueError("matches an empty prompt, so it would refuse every prompt")
    return compiled


@dataclass(frozen=True, slots=True)
class Blocklist:
    """The compiled entries; `line_of` finds the first that a text contains."""

    words: re.Pattern[str] | None = None  # every word, one named group per line
    patterns: tuple[tuple[int, re.Pattern[str]], ...] = ()  # (line, regex)
    entries: int = 0

    def line_of(self, text: str) -> int | None:
        """The line of the first entry `text` contains, or None."""
        if not text or not self.entries:
            return None
        seen = normalise(text)
        if self.words is not None:
            found = self.words.search(seen)
            if found is not None and found.lastgroup is not None:
                return int(found.lastgroup[1:])
        for line, pattern in self.patterns:
            if pattern.search(seen):
                return line
        return None


def parse(text: str, source: str = "PROMPT_BLOCKLIST") -> Blocklist:
    """The blocklist in `text`; BlocklistError naming `source` and the line of a wrong entry."""
    words: list[str] = []
    patterns: list[tuple[int, re.Pattern[str]]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        try:
            if entry.startswith(REGEX_PREFIX):
                patterns.append((number, compile_regex(entry[len(REGEX_PREFIX) :].strip())))
                continue
            word = normalise(entry).strip()
            if not word:
                raise ValueError("has no visible characters")
            words.append(f"(?P<l{number}>{word_pattern(word)})")
        except ValueError as exc:
            raise BlocklistError(f"{source} line {number} ({entry!r}): {exc}") from None
    # Longest first, so that of two entries starting at one place the longer one is named.
    words.sort(key=len, reverse=True)
    compiled = re.compile("|".join(words), re.IGNORECASE) if words else None
    return Blocklist(compiled, tuple(patterns), len(words) + len(patterns))


def load(path: Path) -> Blocklist:
    """The blocklist in the file at `path`; BlocklistError if it cannot be read or is wrong."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise BlocklistError(f"PROMPT_BLOCKLIST={path}: cannot read it: {reason}") from None
    return parse(text, f"PROMPT_BLOCKLIST={path}")


class PromptScreen:
    """The blocklist in force: checks prompts, reloads the file on demand (SIGHUP), and
    counts refusals for the metrics, never recording what matched."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.blocklist = load(path) if path is not None else Blocklist()
        self.refused = 0

    def refuses(self, text: str) -> int | None:
        """The line of the blocklist `text` matches (and counted), or None."""
        line = self.blocklist.line_of(text)
        if line is not None:
            self.refused += 1
        return line

    def reload(self) -> bool:
        """Read the file again; a wrong file is logged and the list in force kept."""
        if self.path is None:
            return False
        try:
            self.blocklist = load(self.path)
        except BlocklistError as exc:
            log.error("blocklist not reloaded, the previous one stays: %s", exc)
            return False
        log.info("blocklist reloaded: %d entries", self.blocklist.entries)
        return True
