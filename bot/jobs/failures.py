"""What a user is told when a vendor fails or refuses a task.

Vendors' failure codes and texts are written for developers ("RENDER", "An unexpected error
occurred.", a validation dump) and may carry internal references, so users get a catalogue
reason picked from the code; the code and text go to the log and the job's stored error.
"""

from __future__ import annotations

# failureCode prefixes (Runway's dot-separated codes, most generic segment first) and the
# catalogue reason for each; the first match wins, anything else is the vendor's problem.
# Moderation codes (SAFETY.*) never get here: clients mark those tasks as moderated.
_REASONS: tuple[tuple[str, str], ...] = (
    ("INTERNAL.BAD_OUTPUT", "reason_bad_output"),  # quality check, often text in the photo
    ("ASSET.", "reason_input"),  # ASSET.INVALID: an input the vendor cannot use
    ("INPUT_PREPROCESSING.ASSET", "reason_input"),
)
DEFAULT_REASON = "reason_vendor_internal"  # INTERNAL, THIRD_PARTY.UNAVAILABLE, unknown codes


def reason_key(code: str | None) -> str:
    """The catalogue key of the reason shown for a vendor's failure code."""
    upper = (code or "").strip().upper()
    for prefix, key in _REASONS:
        if upper.startswith(prefix):
            return key
    return DEFAULT_REASON


def detail(code: str | None, text: str | None) -> str:
    """The vendor's own words, for the log and the job's stored error only."""
    return ": ".join(part for part in (code, text) if part) or "no reason given"
