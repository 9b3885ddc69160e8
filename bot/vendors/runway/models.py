"""Runway's older model tables, which the resellers still serve, and the defaults per task.

The official API's models are in `catalogue`; these are the ones only the resellers (and
aimlapi's ratio table) still name, so a model's limits are written once and a reseller declares
only where it differs.
"""

from __future__ import annotations

from bot.models import SEED_MAX, Mode
from bot.vendors.base import Capabilities, ModelSpec

# Runway's pixel-pair dialect for the aspect names, per model family (vendor-contracts §8).
GEN4_PIXELS = {
    "16:9": "1280:720",
    "9:16": "720:1280",
    "4:3": "1104:832",
    "3:4": "832:1104",
    "1:1": "960:960",
    "21:9": "1584:672",
}
GEN3_PIXELS = {"16:9": "1280:768", "9:16": "768:1280"}

GEN4_RATIOS = tuple(GEN4_PIXELS)
GEN3_RATIOS = tuple(GEN3_PIXELS)


def spec(
    name: str,
    modes: set[Mode],
    ratios: tuple[str, ...],
    *,
    durations: tuple[int, ...] = (5, 10),
    prompt_max: int = 1000,
    prompt_required: bool = False,
    seeded: bool = True,
    options: frozenset[str] = frozenset(),
    resolutions: tuple[str, ...] = (),
) -> ModelSpec:
    return ModelSpec(
        name=name,
        modes=frozenset(modes),
        ratios=ratios,
        durations=durations,
        prompt_max=prompt_max,
        prompt_required=prompt_required,
        seed_min=0,
        seed_max=SEED_MAX,
        seeded=seeded,
        options=options,
        resolutions=resolutions,
    )


# Older Runway models that only the resellers still serve. Runway accepted 5 or 10 s for them;
# Aleph and Act-Two follow the input video's length, 5 is the nominal value for pricing.
# Their optional fields are those openai-hk's document gives them (its seed, lines 246-248
# and 331-368), the reseller these tables are written for.
_MODERATION = frozenset({"contentModeration"})
GEN3A = spec("gen3a_turbo", {Mode.IMAGE, Mode.FIRST_LAST}, GEN3_RATIOS, options=_MODERATION)
GEN4_TURBO = spec("gen4_turbo", {Mode.IMAGE}, GEN4_RATIOS, options=_MODERATION)
ALEPH = spec(
    "gen4_aleph",
    {Mode.VIDEO},
    GEN4_RATIOS,
    durations=(5,),
    prompt_required=True,
    options=_MODERATION,
)
ACT_TWO = spec(
    "act_two",
    {Mode.ACT},
    GEN4_RATIOS,
    durations=(5,),
    options=_MODERATION | {"expressionIntensity"},
)
# Models whose wire body carries `watermark` (gen4 and later have none).
WATERMARK_MODELS = frozenset({"gen3a_turbo"})
# Video-to-video models that take one image as a style `references` entry.
IMAGE_REFERENCE_MODELS = frozenset({"gen4_aleph"})

# The model each mode uses when the user names none: the first of these a vendor offers
# (what Runway serves today first, then what the resellers still serve).
DEFAULT_PREFERENCE: dict[Mode, tuple[str, ...]] = {
    Mode.TEXT: ("gen4.5",),
    Mode.IMAGE: ("gen4.5", "gen4_turbo"),
    Mode.FIRST_LAST: ("veo3.1_fast", "gen3a_turbo"),
    Mode.VIDEO: ("aleph2", "gen4_aleph"),
    Mode.ACT: ("act_two",),
}
DEFAULT_MODELS = {mode: names[0] for mode, names in DEFAULT_PREFERENCE.items()}


def runway_capabilities(*models: ModelSpec) -> Capabilities:
    """A vendor of Runway models: these models, each mode defaulting as at Runway."""
    defaults: dict[Mode, str] = {}
    for mode, names in DEFAULT_PREFERENCE.items():
        offered = [n for n in names if any(m.name == n and mode in m.modes for m in models)]
        if offered:
            defaults[mode] = offered[0]
    return Capabilities(models=models, defaults=defaults)
