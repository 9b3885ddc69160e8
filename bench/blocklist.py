"""Blocklist cost: the time one prompt check takes, and the file's compile time at start.

A list of N words (half Latin, half Chinese, a few phrases) plus R `re:` patterns is
compiled as PROMPT_BLOCKLIST would be; prompts of the length the model allows (1,000
characters, Runway's limit), which match nothing (the worst case: every entry is tried to the
end), are checked many times. The check runs on the event loop, so it should stay far
below a millisecond.

    .venv/bin/python -m bench.blocklist [--words 100,1000,5000] [--patterns 20] [--length 1000]
"""

from __future__ import annotations

import argparse
import random
import string
import time
from typing import Any

from bench.common import report
from bot.blocklist import parse

HAN = [chr(c) for c in range(0x4E00, 0x4E00 + 2000)]


def blocklist_text(words: int, patterns: int, rng: random.Random) -> str:
    lines = ["# generated"]
    for i in range(words):
        if i % 2:
            lines.append("".join(rng.choices(HAN[:1000], k=rng.randint(2, 4))))
        else:
            parts = rng.randint(1, 2)
            lines.append(" ".join(f"zq{rng.randint(0, 10**6)}" for _ in range(parts)))
    lines += [f"re:\\bxq{i}\\w{{2,8}}\\d+\\b" for i in range(patterns)]
    return "\n".join(lines) + "\n"


def prompt(length: int, rng: random.Random) -> str:
    """A Latin and a Chinese stretch, none of it on the list (other Han characters)."""
    latin = " ".join(
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9))) for _ in range(length)
    )
    return (latin[: length // 2] + "".join(rng.choices(HAN[1000:], k=length)))[:length]


def run(words: int, patterns: int, length: int, checks: int = 2000) -> dict[str, Any]:
    rng = random.Random(words * 7 + patterns)
    text = blocklist_text(words, patterns, rng)
    began = time.perf_counter()
    blocklist = parse(text)
    compiled = time.perf_counter() - began
    prompts = [prompt(length, rng) for _ in range(20)]
    assert all(blocklist.line_of(p) is None for p in prompts)
    began = time.perf_counter()
    for i in range(checks):
        blocklist.line_of(prompts[i % len(prompts)])
    each = (time.perf_counter() - began) / checks
    return {
        "words": words,
        "patterns": patterns,
        "prompt chars": length,
        "compile ms": round(compiled * 1000, 1),
        "check µs": round(each * 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", default="100,1000,5000")
    parser.add_argument("--patterns", type=int, default=20)
    parser.add_argument("--length", type=int, default=1000)
    args = parser.parse_args()
    rows = [run(int(n), args.patterns, args.length) for n in args.words.split(",")]
    report("Blocklist: one prompt check, and the compile at start", rows)


if __name__ == "__main__":
    main()
