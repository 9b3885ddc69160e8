"""Clients for the Runway API and the two resellers that mirror it (gpt.ge, openai-hk).

`protocol` holds the task protocol all three speak, `catalogue` every model of the official
API (with `ratios`, the SDK's ratio values, and `wire`, how a row becomes a body), `models`
the older models the resellers still serve and the defaults per task, `uploads` Runway's
upload endpoint for large media, `official` the Runway client and `resellers` the two
mirrors; this package names them all.
"""

from __future__ import annotations

from bot.vendors.runway.models import GEN3_PIXELS, GEN4_PIXELS
from bot.vendors.runway.official import RunwayClient
from bot.vendors.runway.protocol import (
    RUNWAY_VERSION,
    RunwayFamilyClient,
    RunwayValidationError,
)
from bot.vendors.runway.resellers import GptgeClient, OpenAIHKClient
from bot.vendors.runway.tasks import parse_task

__all__ = [
    "GEN3_PIXELS",
    "GEN4_PIXELS",
    "RUNWAY_VERSION",
    "GptgeClient",
    "OpenAIHKClient",
    "RunwayClient",
    "RunwayFamilyClient",
    "RunwayValidationError",
    "parse_task",
]
