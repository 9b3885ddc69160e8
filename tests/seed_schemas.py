"""The request fields each reseller's own document gives, written down once as data.

Sources are our captured copies of the vendors' pages, kept beside this repository in
`shared/seeds/` (cited as `file:lines`); where
a seed is silent about a body the client sends, the entry cites vendor-contracts.md, which
distils the same vendor's other published revisions, and says so. `check()` lists what a
body does that its document does not allow: unknown fields, missing required ones, wrong
types, values outside the documented set.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SEEDS = str(Path(__file__).resolve().parents[2] / "shared" / "seeds")
GEN3_SIZES = ("1280:768", "768:1280")
GEN4_SIZES = ("1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672")
ASPECTS = ("16:9", "9:16", "1:1", "4:3", "3:4", "21:9")
UINT32 = (0, 4294967295)


@dataclass(frozen=True)
class Field:
    """One documented field: `kind` is "str", "int", "bool", "uri", "object" or "array", or
    alternatives joined by `|`; `shape` describes an object, or each item of an array."""

    kind: str
    required: bool = False
    values: tuple[Any, ...] | None = None
    span: tuple[int, int] | None = None  # inclusive number range, or string length range
    shape: Body | None = None  # an object's fields, or each array item's


@dataclass(frozen=True)
class Body:
    source: str
    fields: Mapping[str, Field] = field(default_factory=dict)


def _kind_ok(kind: str, value: Any) -> bool:
    if "|" in kind:
        return any(_kind_ok(k, value) for k in kind.split("|"))
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "uri":  # every seed takes a URL or base64 (a data URI)
        return isinstance(value, str) and value.startswith(("https://", "http://", "data:"))
    types = {"str": str, "bool": bool, "object": dict, "array": list}
    return isinstance(value, types[kind])


def check(body: Any, schema: Body, where: str = "") -> list[str]:
    """Every way `body` departs from `schema`; empty when it conforms."""
    if not isinstance(body, dict):
        return [f"{where or 'body'}: not an object"]
    problems = [f"{where}{k}: not documented" for k in body if k not in schema.fields]
    for name, spec in schema.fields.items():
        path = f"{where}{name}"
        if name not in body:
            if spec.required:
                problems.append(f"{path}: required")
            continue
        value = body[name]
        if not _kind_ok(spec.kind, value):
            problems.append(f"{path}: expected {spec.kind}, got {value!r:.40}")
            continue
        for item in value if spec.kind == "array" else [value]:
            if spec.values is not None and item not in spec.values:
                problems.append(f"{path}: {item!r} not one of {spec.values}")
        if spec.span is not None:
            size = len(value) if isinstance(value, str | list) else value
            if not spec.span[0] <= size <= spec.span[1]:
                problems.append(f"{path}: {size} outside {spec.span}")
        if spec.shape is not None and isinstance(value, list):
            for i, item in enumerate(value):
                problems += check(item, spec.shape, f"{path}.{i}.")
        elif spec.shape is not None and isinstance(value, dict):
            problems += check(value, spec.shape, f"{path}.")
    return problems


# aimlapi-runway-gen4-turbo.txt: POST /v2/generate/video/runway/generation (lines 457-481,
# example 493-500). The capture lost the enum values of `model`, `duration` and `ratio`;
# they and the other models come from vendor-contracts §6.3 (aimlapi's schema history).
_AIML_I2V = {
    "model": Field("str", required=True),  # values per model below
    "prompt": Field("str", span=(1, 1000)),  # 460-462: non-empty, up to 1000
    "image_url": Field("uri", required=True),  # 464-466
    "duration": Field("int", values=(5, 10)),  # 468-472; §6.3: 5 | 10
    "ratio": Field("str"),  # 473-477: enum, default 16:9; values per model below
    "seed": Field("int", span=UINT32),  # 478: max 4294967295
}


def _aiml_i2v(model: str, ratios: tuple[str, ...], *extra: str) -> Body:
    fields = {
        **_AIML_I2V,
        "model": Field("str", True, (model,)),
        "ratio": Field("str", values=ratios),
    }
    for name in extra:  # §6.3 legacy schema: `last_image_url` (gen3a_turbo) on this path
        fields[name] = Field("uri")
    return Body(f"aimlapi-runway-gen4-turbo.txt:457-481 + vendor-contracts §6.3 ({model})", fields)


_AIML_FRAME = Field("str", values=(*GEN4_SIZES, "848:480", "640:480"))


def _aiml_ref(*types: str) -> Body:
    return Body(
        "vendor-contracts §6.3", {"type": Field("str", True, types), "url": Field("uri", True)}
    )


AIMLAPI: dict[tuple[str, str], Body] = {
    ("runway/gen4_turbo", "image"): _aiml_i2v("runway/gen4_turbo", ASPECTS),
    ("gen3a_turbo", "image"): _aiml_i2v("gen3a_turbo", ("16:9", "9:16"), "last_image_url"),
    ("gen3a_turbo", "first_last"): _aiml_i2v("gen3a_turbo", ("16:9", "9:16"), "last_image_url"),
    ("runway/gen4_aleph", "video"): Body(
        "vendor-contracts §6.3 gen4_aleph (not in the seed)",
        {
            "model": Field("str", True, ("runway/gen4_aleph",)),
            "prompt": Field("str", True, span=(1, 1000)),
            "video_url": Field("uri", True),
            "references": Field("array", shape=_aiml_ref("image")),
            "frame_size": _AIML_FRAME,
            "duration": Field("int", values=(5,)),
            "seed": Field("int", span=UINT32),
        },
    ),
    ("runway/act_two", "act"): Body(
        "vendor-contracts §6.3 act_two (not in the seed)",
        {
            "model": Field("str", True, ("runway/act_two",)),
            "character": Field("object", True, shape=_aiml_ref("image", "video")),
            "reference": Field("object", True, shape=_aiml_ref("video")),
            "frame_size": _AIML_FRAME,
            "body_control": Field("bool"),
            "expression_intensity": Field("int", span=(1, 5)),
            "seed": Field("int", span=UINT32),
        },
    ),
}


# apiframe-runway-gen4-turbo.txt: POST /v2/videos/generate, model "runway-gen4-turbo"
# (lines 4-13, examples 23-29 and 77-83). `prompt` and the webhook fields are the common
# fields the page refers to (line 6); they, the strictness and gen4.5 are vendor-contracts §5.3.
_AF_PARAMS = Body(
    "apiframe-runway-gen4-turbo.txt:10-13",
    {
        "image": Field("uri"),
        "duration": Field("int", values=(5, 10)),
        "aspect_ratio": Field("str", values=ASPECTS),
        "seed": Field("int"),
    },
)
APIFRAME: dict[str, Body] = {
    wire: Body(
        f"apiframe-runway-gen4-turbo.txt:4-13 + vendor-contracts §5.3 ({wire})",
        {
            "model": Field("str", True, (wire,)),
            "prompt": Field("str", True, span=(1, 4000)),
            "runwayParams": Field("object", shape=_AF_PARAMS),
            "webhookUrl": Field("uri"),
            "webhookEvents": Field(
                "array", values=("progress", "completed", "failed"), span=(1, 3)
            ),
        },
    )
    for wire in ("runway-gen4-turbo", "runway-gen4.5")
}


# gptge-runway-image-to-video.txt: POST /runwayml/v1/image_to_video (lines 14-22).
_GPTGE_IMAGE = Body(  # line 16 says "array of objects"; their fields are vendor-contracts §4
    "vendor-contracts §4",
    {"uri": Field("uri", True), "position": Field("str", True, ("first", "last"))},
)
GPTGE = Body(
    "gptge-runway-image-to-video.txt:14-22",
    {
        "promptImage": Field("uri|array", True, shape=_GPTGE_IMAGE),  # "string / array"
        "model": Field("str", True, ("gen3a_turbo", "gen4a_turbo")),
        "seed": Field("int"),
        "promptText": Field("str", span=(0, 512)),
        "watermark": Field("bool"),
        "duration": Field("int", values=(5, 10)),
        "ratio": Field("str", values=GEN3_SIZES),
    },
)


# openai-hk-runway.txt: image_to_video (lines 32-114), video_to_video (185-274),
# character_performance (281-368). `notify_hook` is documented once (line 114), for its
# Runway API as a whole.
_HK_IMAGE = Body(
    "openai-hk-runway.txt:107-109",
    {"uri": Field("uri", True), "position": Field("str", True, ("first", "last"))},
)


def _hk_media(*types: str) -> Body:
    """`{type, uri}` (239-244, 333-340); the examples show one type each, Runway's API (linked
    as the official documentation, line 11) takes an image character too."""
    return Body(
        "openai-hk-runway.txt", {"type": Field("str", True, types), "uri": Field("uri", True)}
    )


_HK_MODERATION = Body(
    "openai-hk-runway.txt:246-248", {"publicFigureThreshold": Field("str", values=("auto", "low"))}
)
_HK_COMMON = {
    "seed": Field("int", span=UINT32),
    "notify_hook": Field("uri"),
    "contentModeration": Field("object", shape=_HK_MODERATION),
}
OPENAI_HK: dict[tuple[str, str], Body] = {
    (model, "image_to_video"): Body(
        f"openai-hk-runway.txt:70-114 ({model})",
        {
            **_HK_COMMON,
            "promptImage": Field("array", True, span=(1, 2), shape=_HK_IMAGE),  # object[]
            "model": Field("str", True, ("gen3a_turbo", "gen4_turbo")),
            "promptText": Field("str"),
            "watermark": Field("bool"),  # in every example (48, 84)
            "duration": Field("int", values=(5, 10)),  # 110
            "ratio": Field("str", values=sizes),  # 112
        },
    )
    for model, sizes in (("gen3a_turbo", GEN3_SIZES), ("gen4_turbo", GEN4_SIZES))
}
OPENAI_HK[("gen4_aleph", "video_to_video")] = Body(
    "openai-hk-runway.txt:231-274",
    {
        **_HK_COMMON,
        "videoUri": Field("uri", True),
        "promptText": Field("str", True),
        "model": Field("str", True, ("gen4_aleph",)),
        "references": Field("array", span=(0, 1), shape=_hk_media("image")),
        "ratio": Field("str", values=GEN4_SIZES),  # 245 shows 1280:720; the gen4 list of 112
    },
)
OPENAI_HK[("act_two", "character_performance")] = Body(
    "openai-hk-runway.txt:331-368",
    {
        **_HK_COMMON,
        "character": Field("object", True, shape=_hk_media("image", "video")),
        "reference": Field("object", True, shape=_hk_media("video")),
        "bodyControl": Field("bool"),
        "expressionIntensity": Field("int", span=(1, 5)),
        "model": Field("str", True, ("act_two",)),
        "ratio": Field("str", values=GEN4_SIZES),
    },
)


# useapi-runway-gen3turbo-video-to-video.txt: POST /v1/runwayml/gen3turbo/video (lines
# 16-68). The other endpoints the client uses are not in the seed: vendor-contracts §7.3.
_UA_COMMON = {
    "seed": Field("int", span=(1, 4294967294)),  # 51-53
    "exploreMode": Field("bool"),  # 54-56
    "replyUrl": Field("uri", span=(1, 1024)),  # 57-62
    "replyRef": Field("str", span=(0, 1024)),  # 63-65
    "maxJobs": Field("int", span=(1, 10)),  # 66-68
}
_UA_GEN3 = ("landscape", "portrait")
USEAPI: dict[str, Body] = {
    "/gen3turbo/video": Body(
        "useapi-runway-gen3turbo-video-to-video.txt:16-68",
        {
            **_UA_COMMON,
            "assetId": Field("str", True),  # 29-30
            "text_prompt": Field("str", True),  # 31-32
            "aspect_ratio": Field("str", values=_UA_GEN3),  # 37-41
            "structure_transformation": Field("int", span=(0, 10)),  # 33-35
            "seconds": Field("int", values=(5, 10)),  # 42-46
            "resolution": Field("str", values=("720p",)),  # 47-50
        },
    ),
    "/gen3turbo/create": Body(
        "vendor-contracts §7.3 /gen3turbo/create (not in the seed)",
        {
            **_UA_COMMON,
            "firstImage_assetId": Field("str"),
            "middleImage_assetId": Field("str"),
            "lastImage_assetId": Field("str"),
            "text_prompt": Field("str"),
            "aspect_ratio": Field("str", values=_UA_GEN3),
            "seconds": Field("int", values=(5, 10)),
        },
    ),
    "/gen4turbo/create": Body(
        "vendor-contracts §7.3 /gen4turbo/create (not in the seed)",
        {
            **_UA_COMMON,
            "firstImage_assetId": Field("str", True),
            "text_prompt": Field("str", True, span=(1, 1000)),
            "aspect_ratio": Field("str", values=ASPECTS),
            "seconds": Field("int", values=(5, 10)),
        },
    ),
    "/gen4_5/create": Body(
        "vendor-contracts §7.3 /gen4_5/create (not in the seed)",
        {
            **_UA_COMMON,
            "text_prompt": Field("str", True, span=(1, 5000)),
            "firstImage_assetId": Field("str"),
            "aspect_ratio": Field("str", values=("16:9",)),
            "seconds": Field("int", values=(5, 8, 10)),
        },
    ),
}
