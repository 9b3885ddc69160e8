"""The official Runway catalogue against Runway's own SDK types (runwayml, pinned).

Every row of `bot.vendors.runway.catalogue` is checked against the SDK's request types (models,
ratios, durations, fields), every model the SDK types for a video task must be in the
catalogue, and every body the client builds, for each model × task × option set the bot can
produce (the user options --audio/--no-audio, --negative, --moderation, --expression and
--resolution included), must validate against the SDK's type for that model.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest

from bot.model_options import (
    FIELDS,
)
from bot.models import ASPECTS, Mode, VideoRequest
from bot.vendors.base import ModelSpec
from bot.vendors.runway import RunwayClient
from bot.vendors.runway.catalogue import CATALOGUE, CATALOGUE_BY_NAME
from bot.vendors.runway.ratios import aspect_table
from tests.emulators import runway_sdk_types as sdk
from tests.test_model_options import model_option_sets
from tests.test_runway_sdk_conformance import ENDPOINT, KEY, mp4, png

VIDEO_ENDPOINTS = ("text_to_video", "image_to_video", "video_to_video", "character_performance")


def requests_for(spec: ModelSpec, mode: Mode) -> list[VideoRequest]:
    """Every request the bot can send `spec` in `mode`: each ratio, duration, seed or not,
    watermark flag, and for Act-Two each character kind and body control."""
    made = []
    seeds = (None, 4294967295) if spec.seeded else (None,)
    options = itertools.product(spec.ratios, spec.durations, seeds, (False, True))
    for ratio, duration, seed, flag in options:
        base: dict[str, Any] = {"mode": mode, "ratio": ratio, "duration": duration, "seed": seed}
        if mode is Mode.TEXT:
            made.append(VideoRequest(prompt="a lighthouse", watermark=flag, **base))
        elif mode is Mode.IMAGE:
            made.append(VideoRequest(prompt="dolly in", first_frame=png(), watermark=flag, **base))
        elif mode is Mode.FIRST_LAST:
            frames = {"first_frame": png(), "last_frame": png("blue")}
            made.append(VideoRequest(prompt="morph", watermark=flag, **frames, **base))
        elif mode is Mode.VIDEO:
            made.append(VideoRequest(prompt="make it rain", video=mp4(), watermark=flag, **base))
        else:
            character = png() if flag else mp4()
            for body in (False, True):
                made.append(
                    VideoRequest(
                        prompt="", character=character, video=mp4(), body_control=body, **base
                    )
                )
    return made


OPTION_FIELDS = (
    "audio",
    "negativePrompt",
    "contentModeration",
    "expressionIntensity",
    "resolution",
)


def with_options(spec: ModelSpec, mode: Mode) -> list[VideoRequest]:
    """The first request of `requests_for` once per option set the model takes."""
    first = requests_for(spec, mode)[0]
    return [dataclasses.replace(first, options=options) for options in model_option_sets(spec)]


CASES = [
    pytest.param(spec, mode, id=f"{spec.name}-{mode.value}")
    for spec in RunwayClient.capabilities.models
    for mode in sorted(spec.modes, key=list(Mode).index)
]


@pytest.mark.parametrize(("spec", "mode"), CASES)
async def test_every_body_validates_against_the_sdk_types(spec: ModelSpec, mode: Mode) -> None:
    """Each model × task the client offers, every option set: the SDK's type accepts it
    (required keys present, no unknown key such as `watermark`, literal values allowed)."""
    client = RunwayClient(api_key=KEY)
    try:
        requests = requests_for(spec, mode)
        assert requests
        for req in [*requests, *with_options(spec, mode)]:
            body = client.build(req, spec, None)
            assert sdk.issues(ENDPOINT[mode], body) == [], (spec.name, mode, body)
            assert ("seed" in body) == (req.seed is not None), body
            sent = {f for f in OPTION_FIELDS if f in body}  # only the fields the user set
            given = {f for o in req.options.given() for f in FIELDS[o][0] if f in OPTION_FIELDS}
            assert sent == given, (req.options, body)
    finally:
        await client.aclose()


def test_every_model_option_is_covered_where_the_sdk_types_it() -> None:
    """Each option field a task's SDK type has is one the catalogue lists for that task (so a
    user can set it), with the SDK's own `resolution` values; and none it lacks."""
    for row in CATALOGUE:
        for mode in row.tasks:
            keys = sdk.wire_keys(ENDPOINT[mode], row.name)
            typed = {f for f in OPTION_FIELDS if f in keys}
            assert row.task_options(mode) & set(OPTION_FIELDS) == typed, (row.name, mode)
            if "resolution" in typed:
                allowed = sdk.allowed_values(ENDPOINT[mode], row.name, "resolution") or ()
                assert row.resolutions and set(row.resolutions) <= set(allowed), row.name
    covered_sets = {
        (s.name, m.value, tuple(sorted(o.given())))
        for s in RunwayClient.capabilities.models
        for m in s.modes
        for o in model_option_sets(s)
    }
    assert ("veo3.1", "text", ("audio",)) in covered_sets
    assert ("act_two", "act", ("expression",)) in covered_sets
    assert ("hailuo3", "video", ("resolution",)) in covered_sets


def covered() -> list[tuple[str, str]]:
    """(model, task) for every case above: what the body test covers."""
    return [(s.name, m.value) for s in RunwayClient.capabilities.models for m in s.modes]


def test_the_body_test_covers_every_video_model_the_sdk_types(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A model the SDK adds (or retires) at a video endpoint fails here until the catalogue
    follows. The covered model × task list is printed (`pytest -s`)."""
    typed = {(m, ep) for ep in VIDEO_ENDPOINTS for m in sdk.variants(ep)}
    ours = {(row.name, ENDPOINT[mode]) for row in CATALOGUE for mode in row.tasks}
    assert ours == typed, {"missing": typed - ours, "not in the SDK": ours - typed}
    pairs = sorted(set(covered()))
    with capsys.disabled():
        print(f"\nRunway bodies checked against runwayml's types ({len(pairs)} model × task):")
        for model, task in pairs:
            print(f"  {model} × {task}")


ROWS = [
    pytest.param(row.name, mode, id=f"{row.name}-{mode.value}")
    for row in CATALOGUE
    for mode in row.tasks
]


@pytest.mark.parametrize(("name", "mode"), ROWS)
def test_each_catalogue_row_matches_the_sdk_type(name: str, mode: Mode) -> None:
    row = CATALOGUE_BY_NAME[name]
    task = row.tasks[mode]
    endpoint = ENDPOINT[mode]
    keys = sdk.wire_keys(endpoint, name)
    ratios = sdk.allowed_values(endpoint, name, "ratio")
    if task.ratios:
        assert ratios is None or set(task.ratios) == set(ratios), ratios
    else:  # nothing sent: the SDK must not require one
        assert not keys.get("ratio", False)
    assert ("duration" in keys) >= task.timed
    literal = sdk.allowed_values(endpoint, name, "duration")
    documented = sdk.documented_seconds(endpoint, name)
    if task.timed and literal:
        assert task.durations == literal
    elif task.timed and documented:
        assert task.durations == documented
    assert ("seed" in keys) == row.seeded
    if mode is Mode.VIDEO:
        assert keys.get(task.video_field) is True
    if mode is Mode.FIRST_LAST:
        assert "last" in sdk.image_positions(name)
    offered = {k for m in row.tasks for k in sdk.wire_keys(ENDPOINT[m], name)}
    assert row.options <= offered, row.options - offered  # fields of at least one task
    required = {k for k, need in keys.items() if need}
    sent = {"model", "promptText", "ratio", "duration", task.video_field}
    sent |= {"promptImage"} if endpoint == "image_to_video" else set()
    sent |= {"character", "reference"} if mode is Mode.ACT else set()
    assert required <= sent, required - sent


def test_the_issues_examples_have_their_sdk_limits_and_the_defaults() -> None:
    specs = {(s.name, m): s for s in RunwayClient.capabilities.models for m in s.modes}
    for name in ("veo3.1", "veo3.1_fast"):
        assert specs[name, Mode.IMAGE].durations == (4, 6, 8)
        assert specs[name, Mode.FIRST_LAST].durations == (4, 6, 8)
    assert specs["gen4.5", Mode.TEXT].durations == tuple(range(2, 11))
    assert specs["gen4.5", Mode.TEXT].ratios == ("16:9", "9:16")
    assert specs["kling2.5_turbo_pro", Mode.TEXT].durations == (5, 10)
    assert RunwayClient.capabilities.defaults == {
        Mode.TEXT: "gen4.5",
        Mode.IMAGE: "gen4.5",
        Mode.FIRST_LAST: "veo3.1_fast",
        Mode.VIDEO: "aleph2",
        Mode.ACT: "act_two",
    }


def test_aspect_names_map_to_the_pixel_pair_of_that_shape_nearest_720p() -> None:
    assert aspect_table(("1280:720", "1920:1080", "3840:2160")) == {"16:9": "1280:720"}
    assert aspect_table(("adaptive", "16:9", "9:16"))["16:9"] == "16:9"
    assert aspect_table(("auto_720p", "auto_1080p")) == {}
    assert aspect_table(("832:480",)) == {}  # 1.733 is not 16:9 (1.778)
    wide = aspect_table(("992:432", "1470:630", "2206:946"))
    assert wide == {"21:9": "1470:630"}
    assert set(aspect_table(tuple(f"{w}:{h}" for w, h in [(1104, 832), (832, 1104)]))) == {
        "4:3",
        "3:4",
    }
    assert set(ASPECTS) >= set(aspect_table(("1280:720", "720:1280", "960:960")))


def test_lengths_the_sdk_leaves_open_follow_the_documents() -> None:
    """Where the SDK types `duration` as a bare `int` with no range, the catalogue takes the
    lengths documented for the model (sources in bot/vendors/runway/durations.py); a model no
    document covers keeps 5 or 10 s."""
    specs = {(s.name, m): s.durations for s in RunwayClient.capabilities.models for m in s.modes}
    documented = {
        "gen4_turbo": range(2, 11),
        "seedance2": range(4, 16),
        "seedance2_5": range(4, 31),
        "wan3": range(2, 31),
        "kling_4": range(3, 31),
        "hailuo3": range(5, 16),
        "h3_max": range(5, 16),
        "happyhorse_1_0": range(3, 16),
        "grok_imagine_1_5_lite": range(3, 16),
    }
    for name, lengths in documented.items():
        endpoint = "image_to_video"
        assert sdk.allowed_values(endpoint, name, "duration") is None, name  # bare int
        assert sdk.documented_seconds(endpoint, name) is None, name  # no range in the SDK
        assert specs[name, Mode.IMAGE] == tuple(lengths), name
    assert specs["wan3_prime", Mode.TEXT] == (5, 10)
