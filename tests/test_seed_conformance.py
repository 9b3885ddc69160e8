"""Every body the reseller clients can build, checked against the reseller's own document.

For each client, each model it offers × each task that model does × every option set
(ratio, duration, seed, prompt, media kind, watermark, callback, and the user options for
the model's optional fields) is built by the real client
and checked by `tests.seed_schemas.check` against the fields the seed documents. The test ids
list what was covered (vendor-model-task); each case asserts it built at least one body.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.models import Media, Mode, VideoRequest
from bot.vendors.aimlapi import AimlapiClient
from bot.vendors.apiframe import ApiframeClient
from bot.vendors.base import ModelSpec, VendorClient
from bot.vendors.runway import GptgeClient, OpenAIHKClient
from bot.vendors.useapi import UseapiClient
from tests import seed_schemas as docs
from tests.emulators.base import sample_mp4
from tests.emulators.useapi import UseapiEmulator
from tests.helpers import image_bytes
from tests.test_model_options import model_option_sets

CLIENTS: dict[str, type[VendorClient]] = {
    "aimlapi": AimlapiClient,
    "apiframe": ApiframeClient,
    "gptge": GptgeClient,
    "openai-hk": OpenAIHKClient,
    "useapi": UseapiClient,
}
RUNWAY_ENDPOINTS = {
    Mode.TEXT: "text_to_video",
    Mode.IMAGE: "image_to_video",
    Mode.FIRST_LAST: "image_to_video",
    Mode.VIDEO: "video_to_video",
    Mode.ACT: "character_performance",
}
PNG = Media(image_bytes(fmt="PNG"), "image/png", "a.png")
JPEG = Media(image_bytes(fmt="JPEG", color="navy"), "image/jpeg", "b.jpg")
MP4 = Media(sample_mp4(), "video/mp4", "v.mp4")
HOOK = "https://bot.example/callbacks/vendor"

CASES = [
    pytest.param(vendor, spec, mode, id=f"{vendor}-{spec.name}-{mode.value}")
    for vendor, cls in CLIENTS.items()
    for spec in cls.capabilities.models
    for mode in sorted(spec.modes)
]


def option_sets(spec: ModelSpec, mode: Mode) -> Iterator[tuple[VideoRequest, str | None]]:
    """Every request (and callback) the client could be handed for this model and task."""
    prompts = ["a harbour at dawn", "x" * spec.prompt_max]
    if not spec.prompt_required and mode is not Mode.TEXT:
        prompts.append("")
    media: list[dict[str, Any]] = {
        Mode.TEXT: [{}],
        Mode.IMAGE: [{"first_frame": PNG}, {"first_frame": JPEG}],
        Mode.FIRST_LAST: [{"first_frame": PNG, "last_frame": JPEG}],
        Mode.VIDEO: [{"video": MP4}, {"video": MP4, "first_frame": PNG}],  # + style reference
        Mode.ACT: [
            {"video": MP4, "character": PNG, "body_control": True},
            {"video": MP4, "character": MP4, "body_control": False},
        ],
    }[mode]
    if mode is Mode.ACT:
        prompts = [""]
    for ratio, duration, seed, prompt, extra, watermark, hook in itertools.product(
        spec.ratios,
        spec.durations,
        (None, spec.seed_min, spec.seed_max),
        prompts,
        media,
        (False, True),
        (None, HOOK),
    ):
        req = VideoRequest(
            prompt=prompt,
            mode=mode,
            model=spec.name,
            ratio=ratio,
            duration=duration,
            seed=seed,
            watermark=watermark,
            **extra,
        )
        yield req, hook
        last = req
    for options in model_option_sets(spec):  # --audio, --moderation, --expression, ...
        yield dataclasses.replace(last, options=options), None


@pytest.fixture
async def useapi() -> AsyncIterator[UseapiClient]:
    """useapi uploads media before it can build a body, so its client needs its emulator."""
    async with UseapiEmulator() as emu:
        client = UseapiClient(api_key=emu.api_key, base_url=emu.base_url)
        yield client
        await client.aclose()


async def build(
    vendor: str, client: VendorClient, req: VideoRequest, hook: str | None
) -> tuple[dict[str, Any], docs.Body]:
    """The body the client would send for `req`, and the documented schema it must meet."""
    spec = client.spec_for(req)
    if isinstance(client, AimlapiClient):
        body = client.build_body(req)
        return body, docs.AIMLAPI[(spec.wire_name, req.mode.value)]
    if isinstance(client, ApiframeClient):
        body = client.build_body(req, hook)
        return body, docs.APIFRAME[spec.wire_name]
    if isinstance(client, GptgeClient | OpenAIHKClient):
        body = client.build(req, spec, hook)
        if isinstance(client, GptgeClient):
            return body, docs.GPTGE
        return body, docs.OPENAI_HK[(spec.name, RUNWAY_ENDPOINTS[req.mode])]
    assert isinstance(client, UseapiClient), vendor
    path, body = await client.build_body(req, idempotency_key="job-42", callback_url=hook)
    return body, docs.USEAPI[path]


@pytest.mark.parametrize(("vendor", "spec", "mode"), CASES)
async def test_every_body_matches_the_vendor_document(
    vendor: str, spec: ModelSpec, mode: Mode, useapi: UseapiClient
) -> None:
    client = useapi if vendor == "useapi" else CLIENTS[vendor](api_key="k", base_url="http://x")
    built = 0
    failures: dict[str, list[str]] = {}
    for req, hook in option_sets(spec, mode):
        body, schema = await build(vendor, client, req, hook)
        problems = docs.check(body, schema)
        if problems:
            what = f"{req.ratio} {req.duration}s seed={req.seed} prompt={len(req.prompt)}"
            failures.setdefault(f"{schema.source}: {problems}", []).append(what)
        built += 1
    assert built > 0
    assert failures == {}


def test_every_seed_is_covered() -> None:
    """Each seed document has at least one client model checked against it."""
    covered = {c.id.split("-")[0] for c in CASES}  # type: ignore[union-attr]
    assert covered == {"aimlapi", "apiframe", "gptge", "openai", "useapi"}


def test_the_checker_catches_what_a_document_forbids() -> None:
    """The checker itself: unknown field, missing field, wrong type, value outside the set."""
    assert docs.check({"model": "gen4a_turbo", "promptImage": "https://e/a.png"}, docs.GPTGE) == []
    bad = {"model": "gen4_turbo", "ratio": "1280:720", "duration": "5", "tail": 1}
    assert sorted(docs.check(bad, docs.GPTGE)) == sorted(
        [
            "tail: not documented",
            "promptImage: required",
            "model: 'gen4_turbo' not one of ('gen3a_turbo', 'gen4a_turbo')",
            "duration: expected int, got '5'",
            "ratio: '1280:720' not one of ('1280:768', '768:1280')",
        ]
    )
    hk = docs.OPENAI_HK[("gen4_turbo", "image_to_video")]
    assert docs.check({"model": "gen4_turbo", "promptImage": "data:image/png;base64,AA"}, hk) == [
        "promptImage: expected array, got 'data:image/png;base64,AA'"
    ]
    nested = {"model": "gen4_turbo", "promptImage": [{"uri": "x", "position": "middle"}]}
    assert docs.check(nested, hk) == [
        "promptImage.0.uri: expected uri, got 'x'",
        "promptImage.0.position: 'middle' not one of ('first', 'last')",
    ]


@pytest.mark.skipif(not Path(docs.SEEDS).is_dir(), reason="the seed documents are not here")
def test_documented_field_names_appear_in_their_seed() -> None:
    """Guards the citations: a field said to come from a seed is named in that seed."""

    def names(schema: docs.Body) -> Iterator[str]:
        for name, spec in schema.fields.items():
            yield name
            if spec.shape is not None and spec.shape.source.startswith(schema.source[:12]):
                yield from names(spec.shape)

    schemas = [docs.GPTGE, *docs.OPENAI_HK.values(), docs.USEAPI["/gen3turbo/video"]]
    schemas += [docs.APIFRAME["runway-gen4-turbo"].fields["runwayParams"].shape]  # type: ignore[list-item]
    for schema in schemas:
        assert schema is not None
        text = (Path(docs.SEEDS) / schema.source.split(":")[0].split(" ")[0]).read_text()
        missing = [n for n in names(schema) if n not in text]
        assert missing == [], schema.source
