"""Runway's model tables: which models exist, what each accepts, and the pixel pairs.

Shared by the official client and the resellers that mirror it (and aimlapi's ratio table), so
a model's limits are written once and a reseller declares only where it differs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

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
    """The aspect name as Runway's pixel pair for this model."""
    row = CATALOGUE_BY_NAME.get(model)
    if row is not None:
        table = row.pixels
    else:  # models only resellers still serve
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


# Older Runway models that only the resellers still serve. Runway accepted 5 or 10 s for them;
# Aleph and Act-Two follow the input video's length, 5 is the nominal value for pricing.
GEN3A = spec("gen3a_turbo", {Mode.IMAGE, Mode.FIRST_LAST}, GEN3_RATIOS)
GEN4_TURBO = spec("gen4_turbo", {Mode.IMAGE}, GEN4_RATIOS)
ALEPH = spec("gen4_aleph", {Mode.VIDEO}, GEN4_RATIOS, durations=(5,), prompt_required=True)
ACT_TWO = spec("act_two", {Mode.ACT}, GEN4_RATIOS, durations=(5,))
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


@dataclass(frozen=True, slots=True)
class RunwayModel:
    """One video model of the official API, as Runway's SDK types it.

    Validation, help texts and request bodies all read from this row, so a model Runway adds
    or retires is one line here. `pixels` maps the aspect names users type to the model's own
    `ratio` values; an aspect missing there is refused before any credit moves.
    """

    name: str
    modes: frozenset[Mode]
    pixels: Mapping[str, str]
    durations: tuple[int, ...]
    prompt_required: bool = False
    prompt_max: int = 1000
    # Text-to-video ratios when they are fewer than the image modes' (gen4.5).
    text_ratios: tuple[str, ...] | None = None

    def specs(self) -> tuple[ModelSpec, ...]:
        """One ModelSpec, or one per ratio list when text-to-video takes fewer ratios."""
        groups = [(set(self.modes), tuple(self.pixels))]
        if self.text_ratios is not None and Mode.TEXT in self.modes:
            groups = [
                ({Mode.TEXT}, self.text_ratios),
                (set(self.modes) - {Mode.TEXT}, groups[0][1]),
            ]
        return tuple(
            spec(
                self.name,
                modes,
                ratios,
                durations=self.durations,
                prompt_max=self.prompt_max,
                prompt_required=self.prompt_required,
            )
            for modes, ratios in groups
        )


_WIDE_TALL = {"16:9": "1280:720", "9:16": "720:1280"}
_SECONDS_2_TO_10 = tuple(range(2, 11))

# gen4.5's text-to-video takes 1280:720 and 720:1280 only, its image-to-video all six. Aleph
# and Act-Two follow the input video's length and send no duration; 5 is nominal, for pricing.
CATALOGUE: tuple[RunwayModel, ...] = (
    RunwayModel(
        "gen4.5",
        frozenset({Mode.TEXT, Mode.IMAGE}),
        GEN4_PIXELS,
        _SECONDS_2_TO_10,
        prompt_required=True,
        text_ratios=tuple(_WIDE_TALL),
    ),
    RunwayModel("gen4_turbo", frozenset({Mode.IMAGE}), GEN4_PIXELS, _SECONDS_2_TO_10),
    RunwayModel(
        "veo3.1", frozenset({Mode.TEXT, Mode.IMAGE, Mode.FIRST_LAST}), _WIDE_TALL, (4, 6, 8)
    ),
    RunwayModel(
        "veo3.1_fast",
        frozenset({Mode.TEXT, Mode.IMAGE, Mode.FIRST_LAST}),
        _WIDE_TALL,
        (4, 6, 8),
    ),
    RunwayModel("aleph2", frozenset({Mode.VIDEO}), GEN4_PIXELS, (5,)),
    RunwayModel("act_two", frozenset({Mode.ACT}), GEN4_PIXELS, (5,)),
)
CATALOGUE_BY_NAME: dict[str, RunwayModel] = {row.name: row for row in CATALOGUE}
OFFICIAL_SPECS: tuple[ModelSpec, ...] = tuple(s for row in CATALOGUE for s in row.specs())
