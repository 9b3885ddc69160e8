"""The optional fields some models take, as the user sets them (`--audio`, `--negative`, ...).

Each user option fills one request field the vendors type for some models only: Veo's
`audio` and `negativePrompt`, Runway's `contentModeration.publicFigureThreshold`, Act-Two's
`expressionIntensity`, a third-party model's `resolution`. A model's `ModelSpec.options`
names the fields it takes; an option set for a model without its field is refused before
any credit moves, and a body carries only the fields the user set.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

MODERATION_LEVELS = ("low", "auto")  # contentModeration.publicFigureThreshold
EXPRESSION_MIN, EXPRESSION_MAX = 1, 5  # Act-Two's expressionIntensity, "between 1 and 5"
NEGATIVE_MAX = 1000  # characters of a negative prompt, as for the prompt itself


@dataclass(frozen=True, slots=True)
class ModelOptions:
    """What the user set; None (or "") leaves the field out and the vendor's default applies."""

    audio: bool | None = None  # --audio / --no-audio
    negative: str = ""  # --negative "…": negativePrompt, word for word
    moderation: str = ""  # --moderation low|auto
    expression: int | None = None  # --expression 1-5
    resolution: str = ""  # --resolution 720p, lower case

    def given(self) -> dict[str, Any]:
        """The options set, by name (also the stored form, see `from_json`)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {k: v for k, v in values.items() if v is not None and v != ""}

    @classmethod
    def from_json(cls, data: Any) -> ModelOptions:
        """Stored options; anything unreadable (an older row has none) is left out."""
        if not isinstance(data, Mapping):
            return cls()
        audio, expression = data.get("audio"), data.get("expression")
        return cls(
            audio=audio if isinstance(audio, bool) else None,
            negative=str(data.get("negative") or ""),
            moderation=str(data.get("moderation") or ""),
            expression=expression if isinstance(expression, int) else None,
            resolution=str(data.get("resolution") or ""),
        )


# Option -> (the request fields it fills, as ModelSpec.options names them in each vendor's
# spelling; how it is typed).
FIELDS: dict[str, tuple[frozenset[str], str]] = {
    "audio": (frozenset({"audio"}), "--audio"),
    "negative": (frozenset({"negativePrompt"}), "--negative"),
    "moderation": (frozenset({"contentModeration"}), "--moderation"),
    "expression": (frozenset({"expressionIntensity", "expression_intensity"}), "--expression"),
    "resolution": (frozenset({"resolution"}), "--resolution"),
}


def typed(option: str, options: ModelOptions) -> str:
    """The option as the user would type it (`--no-audio` for audio off)."""
    if option == "audio" and options.audio is False:
        return "--no-audio"
    return FIELDS[option][1]


def wire_fields(options: ModelOptions, offered: frozenset[str]) -> dict[str, Any]:
    """The body fields for the options set, Runway's spelling, of those `offered` (the model's
    `ModelSpec.options` for this task): a field the user did not set is never sent."""
    body: dict[str, Any] = {}
    if options.audio is not None and "audio" in offered:
        body["audio"] = options.audio
    if options.negative and "negativePrompt" in offered:
        body["negativePrompt"] = options.negative
    if options.moderation and "contentModeration" in offered:
        body["contentModeration"] = {"publicFigureThreshold": options.moderation}
    if options.expression is not None and "expressionIntensity" in offered:
        body["expressionIntensity"] = options.expression
    if options.resolution and "resolution" in offered:
        body["resolution"] = options.resolution
    return body
