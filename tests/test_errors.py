"""The error taxonomy: a retry handler never swallows the error that forbids a blind retry."""

from __future__ import annotations

import pytest

from bot.errors import RateLimited, Transient, UnknownOutcome, VendorError


def test_unknown_outcome_escapes_except_transient() -> None:
    with pytest.raises(UnknownOutcome):
        try:
            raise UnknownOutcome("no answer: ReadTimeout", vendor="runway")
        except Transient:
            pytest.fail("an except Transient caught a create of unknown outcome")


def test_unknown_outcome_is_a_vendor_error() -> None:
    exc = UnknownOutcome("gateway timeout", status=504, vendor="runway")
    assert isinstance(exc, VendorError) and not isinstance(exc, Transient)
    assert str(exc) == "runway unknown_outcome: HTTP 504: gateway timeout"


def test_errors_carry_only_what_is_read() -> None:
    for exc in (Transient("x"), RateLimited("x", retry_after=3.0), UnknownOutcome("x")):
        assert not hasattr(exc, "retryable")
