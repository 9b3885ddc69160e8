"""A row of `videobot doctor` and the table it prints.

Every detail passes through the redactor on its way out: a vendor may echo its key in an
error, and no row may show a secret.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TextIO

from bot.redact import redact

OK, WARN, FAIL, SKIP = "ok", "warn", "FAIL", "skip"


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: str  # ok | warn | FAIL | skip
    detail: str


def print_report(checks: list[Check], out: TextIO) -> None:
    width = max(len("CHECK"), *(len(c.name) for c in checks))
    print(f"{'CHECK'.ljust(width)}  STATUS  DETAIL", file=out)
    for c in checks:
        print(f"{c.name.ljust(width)}  {c.status.ljust(6)}  {redact(c.detail)}", file=out)
    failed = sum(c.status == FAIL for c in checks)
    warned = sum(c.status == WARN for c in checks)
    if failed:
        print(f"\n{failed} check(s) failed, {warned} warning(s)", file=out)
    else:
        print(f"\nall checks passed, {warned} warning(s)", file=out)
