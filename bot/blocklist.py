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

Cost: the file is read and compiled once, at start and on SIGHUP (in a worker thread); all
words share one trie-shaped pattern, so a check costs about the same for 100 words or
20,000 (bench/blocklist.py), while each `re:` pattern is one more scan of the prompt. A
prompt is checked after the model's length check, so it is at most the model's prompt limit
(1,000 characters on Runway). Python's `re` backtracks, and a pattern that repeats a variable
repetition, like `(a+)+` or `(\\w+\\s?)*`, can take exponential time on a crafted prompt: such
a pattern, or one that matches an empty prompt, is refused at start with the line it is on.
Possessive repeats (`a++`) and atomic groups (`(?>...)`) are accepted.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.prompt_patterns import MAX_WORD, compile_regex, normalise, phrase, words_pattern

log = logging.getLogger("videobot.blocklist")

REGEX_PREFIX = "re:"


class BlocklistError(ValueError):
    """The blocklist file cannot be read, or a line of it is wrong; the message names it."""


@dataclass(frozen=True, slots=True)
class Blocklist:
    """The compiled entries; `line_of` finds the first that a text contains."""

    words: re.Pattern[str] | None = None  # every word and phrase, as one trie
    lines: dict[str, int] = field(default_factory=dict)  # phrase -> its line
    patterns: tuple[tuple[int, re.Pattern[str]], ...] = ()  # (line, regex)

    @property
    def entries(self) -> int:
        return len(self.lines) + len(self.patterns)

    def line_of(self, text: str) -> int | None:
        """The line of the first entry `text` contains, or None."""
        if not text or not self.entries:
            return None
        seen = normalise(text)
        if self.words is not None:
            found = self.words.search(seen)
            if found is not None:
                return self.lines.get(" ".join(found.group().split()), 0)
        for line, pattern in self.patterns:
            if pattern.search(seen):
                return line
        return None


def parse(text: str, source: str = "PROMPT_BLOCKLIST") -> Blocklist:
    """The blocklist in `text`; BlocklistError naming `source` and the line of a wrong entry."""
    lines: dict[str, int] = {}
    patterns: list[tuple[int, re.Pattern[str]]] = []
    for number, raw in enumerate(text.splitlines(), 1):
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        try:
            if entry.startswith(REGEX_PREFIX):
                patterns.append((number, compile_regex(entry[len(REGEX_PREFIX) :].strip())))
                continue
            word = phrase(entry)
            if not word:
                raise ValueError("has no visible characters")
            if len(word) > MAX_WORD:
                raise ValueError(f"is longer than {MAX_WORD} characters")
            lines.setdefault(word, number)
        except ValueError as exc:
            raise BlocklistError(f"{source} line {number} ({entry!r}): {exc}") from None
    # Compared with the prompt's normalised copy, so no IGNORECASE: each branch of the trie
    # then starts with a plain literal, the case `re` skips fastest.
    words = re.compile(words_pattern(lines)) if lines else None
    return Blocklist(words, lines, tuple(patterns))


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

    async def reload_soon(self) -> None:
        """`reload` in a worker thread: compiling a list of thousands of words takes a
        second or more, which the event loop should not wait out (SIGHUP runs this)."""
        await asyncio.to_thread(self.reload)
