"""How one model's create body is spelled at Runway: the catalogue row read for one task.

The protocol builds every body from these rules, so the differences between models (a
`ratio` or none, a `duration` or none, `videoUri` or `promptVideo`, a `seed` field or none)
live in the data of `catalogue` and `models`, never in branches on model names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.models import Mode
from bot.vendors.runway.catalogue import CATALOGUE_BY_NAME
from bot.vendors.runway.models import (
    GEN3_PIXELS,
    GEN4_PIXELS,
    IMAGE_REFERENCE_MODELS,
    WATERMARK_MODELS,
)


@dataclass(frozen=True, slots=True)
class WireRules:
    """What a create body of one model and task carries."""

    ratios: Mapping[str, str]  # aspect -> `ratio` value; "" (or no aspect): no ratio is sent
    timed: bool  # sends `duration`
    seeded: bool  # sends `seed`
    video_field: str = "videoUri"
    watermark: bool = False  # the 2024 gen3a_turbo schema's `watermark`
    image_reference: bool = False  # video-to-video: a photo goes as a style `references` item


def wire_rules(model: str, mode: Mode) -> WireRules:
    """The rules for `model` doing `mode`: the official catalogue's row, else the older
    models only resellers serve (gen3a_turbo, gen4_aleph), as Runway typed them then."""
    row = CATALOGUE_BY_NAME.get(model)
    task = row.tasks.get(mode) if row else None
    if row is not None and task is not None:
        return WireRules(
            ratios=task.aspects(mode),
            timed=task.timed,
            seeded=row.seeded,
            video_field=task.video_field,
        )
    return WireRules(
        ratios=GEN3_PIXELS if model.startswith("gen3") else GEN4_PIXELS,
        timed=mode in (Mode.TEXT, Mode.IMAGE, Mode.FIRST_LAST),
        seeded=True,
        watermark=model in WATERMARK_MODELS,
        image_reference=model in IMAGE_REFERENCE_MODELS,
    )


def pixels(model: str, ratio: str, mode: Mode = Mode.IMAGE) -> str:
    """The aspect name as the model's `ratio` value ("" when the model takes none)."""
    try:
        return wire_rules(model, mode).ratios[ratio]
    except KeyError:  # the validator checked ratios against ModelSpec; this is a router bug
        raise ValueError(f"{model} has no ratio {ratio}") from None
