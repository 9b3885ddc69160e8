"""One JSON-over-HTTP call to a vendor, with failures mapped onto the error taxonomy.

Why one place: every vendor shares the same rules about what a dropped connection means
for money. A create whose request may have reached the vendor raises `UnknownOutcome`,
never a plain retryable error, so the engine cannot resubmit a paid task by accident.
And one place to scrub: vendors echo the key they were sent in error bodies (sometimes
lower-cased or URL-quoted), so every error raised here has the credentials of the request
and every secret the process knows taken out before anyone (a user, a log, doctor) sees it.
"""

from __future__ import annotations

import datetime
import email.utils
import json
import math
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from bot.errors import (
    AuthError,
    BadRequest,
    DailyLimit,
    Moderated,
    NotFound,
    OutOfCredits,
    RateLimited,
    Transient,
    UnknownOutcome,
    VendorError,
)
from bot.redact import compile_secrets, redact
from bot.vendors.transport import VendorHTTP

CREDIT_WORDS = ("enough credit", "out of credit", "insufficient credit", "insufficient balance")
MODERATION_WORDS = ("moderat", "safety", "content policy", "not pass")

# Nothing was sent: safe to retry a create.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)

ErrorMapper = Callable[[int, str, Any], VendorError | None]
CREDENTIAL_HEADERS = ("authorization", "x-api-key", "api-key", "x-goog-api-key")


def _encode(value: Any) -> bytes:
    """JSON as httpx encodes `json=`: compact, UTF-8, no NaN."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def _with_json(headers: dict[str, str] | None, value: Any) -> dict[str, str] | None:
    if value is None:
        return headers
    return {"Content-Type": "application/json", **(headers or {})}


def error_text(body: Any, fallback: str = "") -> str:
    """The human part of a vendor error body, whatever its envelope."""
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, str) and err:
            return err[:300]
        if isinstance(err, dict):
            for key in ("message", "errorMessage", "reason"):
                if isinstance(err.get(key), str):
                    return str(err[key])[:300]
        for key in ("message", "detail", "failure"):
            if isinstance(body.get(key), str):
                return str(body[key])[:300]
    return fallback[:300]


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from Retry-After (seconds or HTTP date) or retry-after-ms."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            seconds = float(ms) / 1000
            if math.isfinite(seconds):
                return max(0.0, seconds)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
        return max(0.0, seconds) if math.isfinite(seconds) else None
    except ValueError:
        pass
    try:  # found by fuzzing: a garbage date raised ValueError out of the client
        parsed = email.utils.parsedate_to_datetime(value)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return max(0.0, parsed.timestamp() - time.time())


def default_error(status: int, text: str, vendor: str, after: float | None) -> VendorError:
    """Map an HTTP failure onto the taxonomy by status, then by well-known message words."""
    low = text.lower()
    if any(w in low for w in CREDIT_WORDS) and status in (400, 402, 403, 412):
        return OutOfCredits(text, status=status, vendor=vendor)
    if status == 429 and "daily" in low and "limit" in low:
        return DailyLimit(text, status=status, vendor=vendor, retry_after=after)
    if status == 429:
        return RateLimited(text or "rate limited", status=status, vendor=vendor, retry_after=after)
    if status in (401, 403):
        return AuthError(text or "unauthorised", status=status, vendor=vendor)
    if status in (402, 412):
        return OutOfCredits(text or "out of credits", status=status, vendor=vendor)
    if status == 404:
        return NotFound(text or "not found", status=status, vendor=vendor)
    if status in (400, 422) and any(w in low for w in MODERATION_WORDS):
        return Moderated(text, status=status, vendor=vendor)
    if status in (400, 405, 409, 413, 415, 422):
        return BadRequest(text or "bad request", status=status, vendor=vendor)
    return Transient(text or f"HTTP {status}", status=status, vendor=vendor)


def sent_secrets(headers: Mapping[str, str] | None) -> list[str]:
    """The credentials a request carries ("Bearer KEY" -> KEY), to scrub from its errors."""
    found = []
    for name, value in (headers or {}).items():
        if name.lower() in CREDENTIAL_HEADERS:
            scheme, _, rest = value.strip().partition(" ")
            found.append(rest.strip() if rest else scheme)
    return found


def scrub(exc: VendorError, secrets: re.Pattern[str] | None) -> VendorError:
    """`exc` with `secrets` and every known secret redacted from its message."""
    exc.message = redact(exc.message, secrets)
    exc.args = (exc.message,)
    return exc


async def call(
    http: httpx.AsyncClient,
    vendor: str,
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    json_body: Any = None,
    params: dict[str, str] | None = None,
    content: bytes | None = None,
    create: bool = False,
    mapper: ErrorMapper | None = None,
) -> Any:
    """Send one request and return its parsed JSON body (None for an empty 2xx).

    `create=True` marks a call that starts a paid task: a lost answer becomes UnknownOutcome.
    `mapper(status, text, body)` may claim a vendor-specific error before the default mapping.
    Every error raised is scrubbed of secrets (see the module docstring).
    """
    try:
        try:
            if isinstance(http, VendorHTTP):
                status, data, response_headers = await http.fetch(
                    method, url, headers=_with_json(headers, json_body), params=params,
                    body=_encode(json_body) if json_body is not None else content,
                )  # fmt: skip
                raw = data.decode("utf-8", errors="replace")
            else:
                response = await http.request(
                    method, url, headers=headers, json=json_body, params=params, content=content
                )
                status, raw, response_headers = (
                    response.status_code,
                    response.text,
                    response.headers,
                )
        except _NOT_SENT as exc:
            raise Transient(f"connection failed: {type(exc).__name__}", vendor=vendor) from None
        except httpx.HTTPError as exc:
            cls = UnknownOutcome if create else Transient
            raise cls(f"no answer: {type(exc).__name__}", vendor=vendor) from None
        return _answer(
            status, raw, response_headers, vendor, create=create, mapper=mapper, sent=headers
        )
    except VendorError as exc:
        # Built only on the way out of a failure: a successful call (nearly every poll)
        # pays nothing for it.
        scrub(exc, compile_secrets(sent_secrets(headers)))
        raise


def _answer(
    status: int,
    raw: str,
    headers: Mapping[str, str],
    vendor: str,
    *,
    create: bool,
    mapper: ErrorMapper | None,
    sent: Mapping[str, str] | None,
) -> Any:
    """The parsed body of a 2xx answer; any other answer raised as a VendorError.

    An error body is scrubbed whole before anything quotes it, so no cut leaves a part of a
    secret behind."""
    ok = 200 <= status < 300
    secrets = None if ok else compile_secrets(sent_secrets(sent))
    if not ok:
        raw = redact(raw, secrets)
    try:
        body: Any = json.loads(raw) if raw.strip() else None
    except ValueError:
        body = None
        if 200 <= status < 300:
            cls = UnknownOutcome if create else Transient
            snippet = redact(raw, compile_secrets(sent_secrets(sent)))[:80]
            raise cls(f"malformed body: {snippet!r}", status=status, vendor=vendor) from None

    if 200 <= status < 300:
        return body

    text = error_text(body, raw if body is None else "")
    if mapper is not None:
        mapped = mapper(status, text, body)
        if mapped is not None:
            raise mapped
    if create and status == 504:
        # A gateway timed out waiting for upstream, which may have created the task.
        raise UnknownOutcome(text or "gateway timeout", status=status, vendor=vendor)
    raise default_error(status, text, vendor, retry_after(headers))
