"""The resellers that mirror Runway's API: gpt.ge and openai-hk.

Each declares only where it differs from Runway: its path prefix, its models and limits,
the model names it knows, and openai-hk's `notify_hook` callback.
"""

from __future__ import annotations

from typing import ClassVar

from bot.models import Mode
from bot.vendors.runway.models import (
    ACT_TWO,
    ALEPH,
    GEN3_RATIOS,
    GEN3A,
    GEN4_RATIOS,
    GEN4_TURBO,
    runway_capabilities,
    spec,
)
from bot.vendors.runway.protocol import RunwayFamilyClient


class GptgeClient(RunwayFamilyClient):
    """gpt.ge: image-to-video only, the 2024 prompt limit of 512, no documented cancel."""

    id = "gptge"
    default_base_url = "https://api.gpt.ge"
    key_env = "GPTGE_API_KEY"
    base_url_env = "GPTGE_BASE_URL"
    path_prefix = "/runwayml/v1"
    # gpt.ge documents `gen4a_turbo` (§9.1); Runway's name is tried first.
    model_aliases: ClassVar[dict[str, str]] = {"gen4_turbo": "gen4a_turbo"}
    capabilities = runway_capabilities(
        spec("gen4_turbo", {Mode.IMAGE}, GEN4_RATIOS, prompt_max=512),
        spec("gen3a_turbo", {Mode.IMAGE, Mode.FIRST_LAST}, GEN3_RATIOS, prompt_max=512),
    )


class OpenAIHKClient(RunwayFamilyClient):
    """openai-hk: image, Aleph and Act-Two, plus the `notify_hook` callback; no text-to-video."""

    id = "openai-hk"
    default_base_url = "https://api.openai-hk.com"
    key_env = "OPENAI_HK_API_KEY"
    base_url_env = "OPENAI_HK_BASE_URL"
    path_prefix = "/runwayml/v1"
    accepts_notify_hook = True
    capabilities = runway_capabilities(GEN4_TURBO, GEN3A, ALEPH, ACT_TWO)
