"""Telling "this account may not use that model" apart from a bad key or a bad body.

Runway answers a model outside the organisation's tier with 403 (the SDK's
`PermissionDeniedError`) or 400 and an `{"error": "..."}` sentence naming the model; neither
is the key's fault (the key works for other models) nor the body's. Read as ModelUnavailable,
the job goes on to the next vendor that serves the model, and the client remembers the model
so routing skips this vendor for it from then on.
"""

from __future__ import annotations

from bot.errors import AuthError, BadRequest, ModelUnavailable, VendorError
from bot.vendors.base import ModelSpec

# Words of an access refusal; a validation error ("Invalid option") has none of them.
_ACCESS_WORDS = (
    "access",
    "tier",
    "not available",
    "unavailable",
    "not enabled",
    "permission",
    "upgrade",
    "not allowed",
    "not permitted",
)


def model_refusal(exc: VendorError, spec: ModelSpec) -> ModelUnavailable | None:
    """The ModelUnavailable `exc` means, or None when it is some other refusal."""
    if not isinstance(exc, AuthError | BadRequest) or exc.status not in (400, 403):
        return None
    if getattr(exc, "fields", None):  # a schema validation issue list: the body's fault
        return None
    text = exc.message.lower()
    names = {spec.name.lower(), spec.wire_name.lower()}
    if not any(n in text for n in names) and "model" not in text:
        return None
    if not any(word in text for word in _ACCESS_WORDS):
        return None
    return ModelUnavailable(exc.message, model=spec.name, status=exc.status, vendor=exc.vendor)
