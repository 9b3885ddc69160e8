"""The patterns behind PROMPT_BLOCKLIST (bot/blocklist.py): the text form prompts are compared
in, all the words as one trie-shaped pattern, and the `re:` entries checked for the shape
that makes Python's backtracking engine take exponential time."""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

MAX_WORD = 200  # characters in one word or phrase (a prompt has at most about 1,000)
# Scripts whose words are written without spaces between them (by Unicode character name).
_UNSPACED = ("CJK ", "HIRAGANA", "KATAKANA", "THAI ", "LAO ", "KHMER ", "MYANMAR ", "TIBETAN ")
# The parser behind `re.compile`; private, so typed as Any (the pattern check below needs
# the parsed tree, which no public API gives).
_parser: Any = importlib.import_module("re._parser")

Trie = dict[str, "Trie"]
_END = ""  # the key that marks the end of a word in the trie


def normalise(text: str) -> str:
    """The form prompts and words are compared in: NFKC, case-folded, no format characters."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    if folded.isprintable():  # no format (nor control) character: the usual case, in C
        return folded
    return "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")


def phrase(entry: str) -> str:
    """A word or phrase as it is matched (and looked up): normalised, single spaces."""
    return " ".join(normalise(entry).split())


def _bounded(ch: str) -> bool:
    """Whether a word must not continue past `ch`: a letter or digit of a script written
    with spaces ("gore" is not in "gorilla"; Chinese has no spaces to look for)."""
    return ch.isalnum() and not unicodedata.name(ch, "").startswith(_UNSPACED)


def words_pattern(words: Iterable[str]) -> str:
    """One pattern for every phrase (from `phrase`), shaped as a trie: at each place in a
    prompt the engine follows shared prefixes rather than trying every word in turn, and
    every branch starts with a literal character, which `re` checks in one step. A space
    matches any run of white space; a word boundary is checked where `_bounded` says."""
    trie: Trie = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[_END] = {}
    return _branches(trie, "", first=True)


def _branches(node: Trie, before: str, first: bool = False) -> str:
    branches = []
    for ch, child in node.items():
        if ch == _END:
            continue
        text = r"\s+" if ch == " " else re.escape(ch)
        # The boundary before a word's first character is checked once it matched, so that
        # the branch still starts with the literal.
        head = r"(?<!\w.)" if first and _bounded(ch) else ""
        branches.append(text + head + _branches(child, ch))
    if _END in node:  # after the longer words that go on from here
        branches.append(r"(?!\w)" if _bounded(before) else "")
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


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
