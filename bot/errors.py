"""The error taxonomy the engine acts on.

    BotError
    ├── InvalidRequest        bad user input; refused before any credit moves (has a catalogue key)
    ├── QuotaError            not enough credits, too many jobs, banned (has a catalogue key)
    └── VendorError           anything a vendor said or failed to say
        ├── BadRequest        the vendor refused the request body (400/422 validation)
        │   └── ModelUnavailable  the model is not for this account's tier -> next vendor
        ├── AuthError         wrong or missing key (401/403)     -> next vendor, alert operator
        ├── OutOfCredits      vendor account empty (402/412/...) -> next vendor, alert operator
        ├── RateLimited       429; carries retry_after seconds          -> wait and retry
        │   └── DailyLimit    the day's generations are used up -> another vendor, or wait for
        │                     the next UTC day
        ├── Moderated         content refused                           -> tell the user, no retry
        ├── Transient         5xx, timeouts, resets, malformed bodies   -> retry with backoff
        ├── UnknownOutcome    a create may have reached the vendor      -> never blindly resubmit
        └── NotFound          the task is gone (404)

UnknownOutcome is deliberately not a Transient: an `except Transient` that retries must
never catch the one failure where a retry could start a second paid task.

Every error's message is safe to log: clients never put keys or tokens into them.
"""

from __future__ import annotations

from typing import Any


class BotError(Exception):
    """Base of everything the core raises on purpose."""


class InvalidRequest(BotError):
    """User input the bot cannot accept; `key` and `params` name a catalogue message."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class QuotaError(BotError):
    """The user may not start this job now; `key` and `params` name a catalogue message."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class VendorError(BotError):
    """A vendor call failed. `code` is a short machine word for logs and metrics."""

    code = "vendor_error"

    def __init__(self, message: str, *, status: int | None = None, vendor: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.vendor = vendor

    def __str__(self) -> str:
        where = f"{self.vendor} " if self.vendor else ""
        status = f"HTTP {self.status}: " if self.status else ""
        return f"{where}{self.code}: {status}{self.message}"


class BadRequest(VendorError):
    code = "bad_request"


class ModelUnavailable(BadRequest):
    """The vendor serves the model, but not to this account (its plan or tier): another
    vendor may, and nothing was created."""

    code = "model_unavailable"

    def __init__(self, message: str, *, model: str, status: int | None, vendor: str) -> None:
        super().__init__(message, status=status, vendor=vendor)
        self.model = model


class AuthError(VendorError):
    code = "auth"


class OutOfCredits(VendorError):
    code = "out_of_credits"


class RateLimited(VendorError):
    code = "rate_limited"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = 429,
        vendor: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, vendor=vendor)
        self.retry_after = retry_after


class DailyLimit(RateLimited):
    """Runway's 429 "Your daily task limit has been reached.": retrying in seconds is
    pointless (its SDK still does, twice)."""

    code = "daily_limit"


class Moderated(VendorError):
    code = "moderated"


class Transient(VendorError):
    code = "transient"


class UnknownOutcome(VendorError):
    """The request may have been processed; resubmitting could create a second paid task."""

    code = "unknown_outcome"


class NotFound(VendorError):
    code = "not_found"
