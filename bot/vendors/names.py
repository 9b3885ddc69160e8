"""Model names as people write them: the friendly name per API name, and one spelling key.

Vendors name models for machines (`veo3.1_fast`, `kling2.5_turbo_pro`); users read and type
"Veo 3.1 Fast". `model_key` folds case, spaces, dots, dashes and underscores away; a model
answers to the key of its API name and of its friendly name, so `--model` takes
`veo3.1_fast`, "Veo 3.1 Fast", `veo-3.1-fast` or `VEO31FAST`. A test keeps the keys of one
vendor's models apart.
"""

from __future__ import annotations

import functools
import re

FRIENDLY: dict[str, str] = {
    # Runway's own
    "gen4.5": "Gen-4.5",
    "gen4_turbo": "Gen-4 Turbo",
    "gen3a_turbo": "Gen-3 Alpha Turbo",
    "gen3_turbo_v2v": "Gen-3 Turbo V2V",
    "gen4_aleph": "Gen-4 Aleph",
    "aleph2": "Aleph 2",
    "act_two": "Act-Two",
    # third-party models the official Runway API serves
    "veo3.1": "Veo 3.1",
    "veo3.1_fast": "Veo 3.1 Fast",
    "kling2.5_turbo_pro": "Kling 2.5 Turbo Pro",
    "kling3.0_standard": "Kling 3.0 Standard",
    "kling3.0_pro": "Kling 3.0 Pro",
    "kling3.0_4k": "Kling 3.0 4K",
    "klingO3_standard": "Kling O3 Standard",
    "klingO3_pro": "Kling O3 Pro",
    "klingO3_4k": "Kling O3 4K",
    "kling_4": "Kling 4",
    "hailuo3": "Hailuo 3",
    "happyhorse_1_0": "HappyHorse 1.0",
    "seedance2": "Seedance 2",
    "seedance2_fast": "Seedance 2 Fast",
    "seedance2_mini": "Seedance 2 Mini",
    "seedance2_5": "Seedance 2.5",
    "gemini_omni_flash": "Gemini Omni Flash",
    "gemini_omni_flash_1.1": "Gemini Omni Flash 1.1",
    "grok_imagine_1_5": "Grok Imagine 1.5",
    "grok_imagine_1_5_lite": "Grok Imagine 1.5 Lite",
    "wan3": "Wan 3",
    "wan3_prime": "Wan 3 Prime",
    "h3_max": "H3 Max",
    # this machine
    "local": "Local preview",
}

_FOLD = re.compile(r"[\s._\-]+")


@functools.lru_cache(maxsize=4096)
def model_key(name: str) -> str:
    """One spelling of a model name: lower case, no spaces, dots, dashes or underscores.
    Remembered: finding the model a `/video` names compares it with every spec's names."""
    return _FOLD.sub("", name.strip().lower())


def friendly(name: str) -> str:
    """The name people know a model by; its API name when it has no other."""
    return FRIENDLY.get(name, name)
