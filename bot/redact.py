"""The process's known secrets and the one function that takes them out of any text.

Why one registry: a secret can surface anywhere (a log line, a vendor's error body that
echoes the key, a Bot API error description, `videobot doctor` output), and each of those
places must know every secret, including ones derived at run time (the webhook secret).
Matching ignores case and also finds URL-quoted forms: a gateway may lower-case what it
echoes, and URLs carry secrets percent-encoded.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

REDACTED = "[REDACTED]"
MIN_SECRET = 6  # shorter values would redact ordinary words
# Telegram bot tokens: <bot id>:<35 url-safe chars>, also when URL-quoted (%3A). No \b in
# front: in Bot API URLs the token follows "bot" directly (/bot123456:AA.../getFile).
TOKEN_PATTERN = re.compile(r"(?<!\d)\d{6,12}(?::|%3A)[A-Za-z0-9_-]{30,}", re.IGNORECASE)
BEARER_PATTERN = re.compile(
    r"(?i)(bearer\s+|x-api-key['\"]?\s*[:=]\s*['\"]?)[A-Za-z0-9._:@+/=-]{8,}"
)

_lock = threading.Lock()
_known: frozenset[str] = frozenset()
_pattern: re.Pattern[str] | None = None


def _forms(secret: str) -> set[str]:
    return {secret, quote(secret, safe=""), quote(secret), quote_plus(secret)}


def compile_secrets(secrets: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for every secret and its URL-quoted forms."""
    forms = {f for s in secrets if s and len(s) >= MIN_SECRET for f in _forms(s)}
    if not forms:
        return None
    alternatives = sorted(forms, key=len, reverse=True)  # longest first: no half matches
    return re.compile("|".join(map(re.escape, alternatives)), re.IGNORECASE)


def set_secrets(secrets: Iterable[str]) -> None:
    """Replace the process's known secrets (the configured ones, at start-up)."""
    global _known, _pattern
    with _lock:
        _known = frozenset(s for s in secrets if s and len(s) >= MIN_SECRET)
        _pattern = compile_secrets(_known)


def add_secret(secret: str) -> None:
    """Make one more secret known, e.g. one derived at run time."""
    if secret and len(secret) >= MIN_SECRET and secret not in _known:
        set_secrets({*_known, secret})


def known_secrets() -> frozenset[str]:
    return _known


def redact(text: str, extra: re.Pattern[str] | None = None) -> str:
    """`text` with every known secret (and `extra`'s matches) replaced by [REDACTED]."""
    for pattern in (extra, _pattern):
        if pattern is not None:
            text = pattern.sub(REDACTED, text)
    text = TOKEN_PATTERN.sub(REDACTED, text)
    return BEARER_PATTERN.sub(lambda m: m.group(1) + REDACTED, text)
