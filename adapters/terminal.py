"""Text from users made safe to print on an operator's or a user's terminal.

Why: a prompt, a user id or a file name can carry escape sequences (clear the screen,
rewrite the window title, fake a line) or bidi overrides that reorder what is shown.
Printed raw, they act on the terminal; here they become visible escapes like `\\x1b`.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, and the invisible marks that reorder or break lines.
_FORMATTING = "\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_FORMATTING}]")
_UNSAFE_KEEP_LINES = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_FORMATTING}]")  # keeps \t \n


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_terminal(text: str, *, keep_lines: bool = False) -> str:
    """`text` with every control character and bidi mark shown as an escape.

    `keep_lines` leaves newlines and tabs alone, for multi-line messages; a table cell
    keeps neither, so one value cannot break the table's rows.
    """
    pattern = _UNSAFE_KEEP_LINES if keep_lines else _UNSAFE
    return pattern.sub(_visible, text)
