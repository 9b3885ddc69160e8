"""Logging setup with a redaction filter, so no code path can leak a token or key.

The filter rewrites every record after formatting its arguments: every secret the process
knows (bot.redact's registry: configured keys and tokens, and secrets derived later such as
the webhook secret), in any letter case or URL-quoted, and anything shaped like a Telegram
bot token come out as `[REDACTED]`, at every level, whoever logged them and however.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from bot.redact import (
    BEARER_PATTERN,
    MIN_SECRET,
    REDACTED,
    TOKEN_PATTERN,
    compile_secrets,
    redact,
    set_secrets,
)

__all__ = ["BEARER_PATTERN", "REDACTED", "TOKEN_PATTERN", "RedactingFilter", "configure_logging"]


class RedactingFilter(logging.Filter):
    """Replace secrets in a record's message, arguments and exception text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s and len(s) >= MIN_SECRET}, key=len)
        self._pattern = compile_secrets(self.secrets)

    def redact(self, text: str) -> str:
        """Its own secrets, then every secret the process knows (see bot.redact)."""
        return redact(text, self._pattern)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            formatter = logging.Formatter()
            record.exc_text = self.redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers (LOG_FORMAT=json)."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            data["exception"] = record.exc_text
        elif record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            data["stack"] = record.stack_info
        return json.dumps(data, ensure_ascii=False)


def configure_logging(
    level: str = "INFO", fmt: str = "text", secrets: Iterable[str] = (), stream: Any = None
) -> RedactingFilter:
    """Install one stderr handler with the redaction filter on the root logger.

    `secrets` also become the process's known secrets, so vendor error text and CLI output
    are scrubbed of them too.
    """
    set_secrets(secrets)
    handler = logging.StreamHandler(stream or sys.stderr)
    redactor = RedactingFilter(secrets)
    handler.addFilter(redactor)
    if fmt.lower() == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # httpx logs every request URL at INFO; Telegram URLs carry the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return redactor
