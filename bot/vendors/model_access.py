"""Telling "this account may not use that model" apart from a bad key or a bad body.

Runway answers a model outside the organisation's tier with 403 (the SDK's
`PermissionDeniedError`) and `{"error": "Model variant <model> is not available"}` (Runway
documents no body for it; that is the answer users recorded from the live API, see the
emulator's `tier_body`); a 400 with a sentence naming the model and the tier is read the same
way. Neither is the key's fault (the key works for other models) nor the body's. Read as
ModelUnavailable, the job goes on to the next vendor that serves the model, and the client
remembers the model so routing skips this vendor for it from then on (`VendorClient.refusal`).
apiframe's 403 "lacks permission / modality disabled" is read the same way.
"""

from __future__ import annotations

from collections.abc import Collection

from bot.errors import AuthError, BadRequest, ModelUnavailable, VendorError

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


def model_refusal(
    exc: VendorError, model: str, names: Collection[str] = ()
) -> ModelUnavailable | None:
    """The ModelUnavailable `exc` means for `model` (also known as `names` on the wire), or
    None when it is some other refusal."""
    if not isinstance(exc, AuthError | BadRequest) or exc.status not in (400, 403):
        return None
    if getattr(exc, "fields", None):  # a schema validation issue list: the body's fault
        return None
    text = exc.message.lower()
    named = any(n.lower() in text for n in (model, *names))
    if not named and "model" not in text and "modality" not in text:
        return None
    if not any(word in text for word in _ACCESS_WORDS):
        return None
    return ModelUnavailable(exc.message, model=model, status=exc.status, vendor=exc.vendor)
