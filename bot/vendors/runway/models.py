"""Runway's model tables: which models exist, what each accepts, and the pixel pairs.

Shared by the official client and the resellers that mirror it (and aimlapi's ratio table), so
a model's limits are written once and a reseller declares only where it differs.
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


def pixels(model: str, ratio: str) -> str:
    """The aspect name as Runway's pixel pair for this model's family."""
    table = GEN3_PIXELS if model.startswith("gen3") else GEN4_PIXELS
    try:
        return table[ratio]
    except KeyError:  # the validator checked ratios against ModelSpec; this is a router bug
        raise ValueError(f"{model} has no ratio {ratio}") from None


def spec(
    name: str,
    modes: set[Mode],
    ratios: tuple[str, ...],
    *,
    durations: tuple[int, ...] = (5, 10),
    prompt_max: int = 1000,
    prompt_required: bool = False,
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
    )


# Runway accepts 2-10 s for gen4_turbo and gen4.5; the product offers 5 and 10 only.
# gen4.5 text-to-video takes 1280:720 and 720:1280 only, and ModelSpec has one ratio list for
# all modes, so gen4.5 declares the two ratios valid for both of its modes.
# Aleph and Act-Two follow the input video's length; 5 is the nominal value for pricing.
GEN3A = spec("gen3a_turbo", {Mode.IMAGE, Mode.FIRST_LAST}, GEN3_RATIOS)
GEN4_TURBO = spec("gen4_turbo", {Mode.IMAGE}, GEN4_RATIOS)
GEN45 = spec("gen4.5", {Mode.TEXT, Mode.IMAGE}, ("16:9", "9:16"), prompt_required=True)
ALEPH = spec("gen4_aleph", {Mode.VIDEO}, GEN4_RATIOS, durations=(5,), prompt_required=True)
ACT_TWO = spec("act_two", {Mode.ACT}, GEN4_RATIOS, durations=(5,))

# The model each mode uses when the user names none, wherever a vendor offers it.
DEFAULT_MODELS = {
    Mode.TEXT: "gen4.5",
    Mode.IMAGE: "gen4_turbo",
    Mode.FIRST_LAST: "gen3a_turbo",
    Mode.VIDEO: "gen4_aleph",
    Mode.ACT: "act_two",
}


def runway_capabilities(*models: ModelSpec) -> Capabilities:
    """A vendor of Runway models: these models, each mode defaulting as at Runway."""
    defaults = {
        mode: name
        for mode, name in DEFAULT_MODELS.items()
        if any(m.name == name and mode in m.modes for m in models)
    }
    return Capabilities(models=models, defaults=defaults)
