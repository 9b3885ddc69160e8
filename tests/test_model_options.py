"""The models' optional fields as user options: --audio/--no-audio, --negative "…",
--moderation low|auto, --expression 1-5, --resolution.

Through the real service, SQLite store and Runway client against the Runway emulator (which
validates every body with the `runwayml` SDK's types): a model with the field gets exactly
what the user typed; a model without it refuses the option, naming the models that take it,
before any credit moves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any, get_args

import pytest

from adapters.discord.translate import Moderation
from bot.bootstrap import Core
from bot.command_types import Refused, VideoCommand
from bot.commands import read
from bot.job_request import request_from_json, request_to_json
from bot.model_options import (
    EXPRESSION_MAX,
    EXPRESSION_MIN,
    FIELDS,
    MODERATION_LEVELS,
    ModelOptions,
)
from bot.models import JobRequest, JobState, Media, Mode, UserRef
from bot.service import Incoming
from bot.storage import Store
from bot.vendors.base import ModelSpec
from bot.vendors.runway import RunwayClient
from bot.video_options import typed_video
from tests.emulators.base import sample_mp4
from tests.emulators.runway import RunwayEmulator
from tests.helpers import RecordingSink, finished, image_bytes, make_core
from tests.postgres import BACKENDS
from tests.test_core_store_backends import POLICY, job_of

USER = UserRef("test", "1")


def model_option_sets(spec: ModelSpec) -> list[ModelOptions]:
    """Each user option the model takes, at each value it can have, alone; then all at once
    (the body tests build each: Runway's against the SDK types, the resellers' against their
    documents)."""
    sets: list[ModelOptions] = []
    if "audio" in spec.options:
        sets += [ModelOptions(audio=True), ModelOptions(audio=False)]
    if "negativePrompt" in spec.options:
        sets.append(ModelOptions(negative="text, logos, “quotes”"))
    if "contentModeration" in spec.options:
        sets += [ModelOptions(moderation=level) for level in MODERATION_LEVELS]
    if FIELDS["expression"][0] & spec.options:
        sets += [ModelOptions(expression=n) for n in (EXPRESSION_MIN, EXPRESSION_MAX)]
    sets += [ModelOptions(resolution=r) for r in spec.resolutions]
    merged: dict[str, Any] = {}
    for options in sets:
        merged |= options.given()
    return [*sets, ModelOptions(**merged)] if len(sets) > 1 else sets


@pytest.fixture
async def core(tmp_path: Path) -> AsyncIterator[tuple[Core, RunwayEmulator]]:
    async with RunwayEmulator("k", run_seconds=0.1) as emu:
        core = await make_core(tmp_path, vendors=[RunwayClient(api_key="k", base_url=emu.base_url)])
        core.engine.subscribe("test", RecordingSink())
        await core.start()
        try:
            yield core, emu
        finally:
            await core.aclose()


def creates(emu: RunwayEmulator) -> list[dict[str, Any]]:
    return [e["json"] for e in emu.log if e["method"] == "POST" and "json" in e]


async def ask(core: Core, text: str, **media: Any) -> Any:
    return await core.service.handle(Incoming(user=USER, command=read(text), **media))


async def test_veo_gets_audio_and_the_negative_prompt_word_for_word(
    core: tuple[Core, RunwayEmulator],
) -> None:
    app, emu = core
    text = (
        '/video --model veo3.1_fast --duration 6 --audio --negative "text, “logos”, blur" a choir'
    )
    reply = await ask(app, text)
    assert reply.job is not None, reply.text
    assert await finished(app, reply.job.id) is JobState.DELIVERED
    (body,) = creates(emu)
    assert body["audio"] is True and body["negativePrompt"] == "text, “logos”, blur"
    assert body["promptText"] == "a choir"
    stored = await app.store.get_job(reply.job.id)
    assert stored is not None
    assert stored.request.options == ModelOptions(audio=True, negative="text, “logos”, blur")


async def test_no_audio_is_sent_as_false_and_nothing_unset_is_sent(
    core: tuple[Core, RunwayEmulator],
) -> None:
    app, emu = core
    for text in ("/video --model veo3.1 --duration 4 a fox --no-audio", "/video a fox"):
        reply = await ask(app, text)
        assert reply.job is not None, reply.text
        await finished(app, reply.job.id)
    muted, plain = creates(emu)
    assert muted["audio"] is False and "negativePrompt" not in muted
    assert not {"audio", "negativePrompt", "contentModeration", "resolution"} & set(plain)


async def test_a_model_without_the_field_refuses_it_naming_those_with_it_unpaid(
    core: tuple[Core, RunwayEmulator],
) -> None:
    app, emu = core
    reply = await ask(app, "/video --audio a fox")  # gen4.5, the default, has no audio
    assert reply.error and reply.job is None
    assert "Gen-4.5 has no setting for --audio" in reply.text
    assert "Veo 3.1 Fast (veo3.1_fast)" in reply.text and "Seedance 2 (seedance2)" in reply.text
    assert "Gen-4 Turbo" not in reply.text
    refused = await ask(app, "/video --model veo3.1 --moderation low a crowd")
    assert "Veo 3.1 has no setting for --moderation" in refused.text
    assert "Gen-4.5 (gen4.5)" in refused.text
    wrong = await ask(app, "/video --model hailuo3 --resolution 1080p a crowd")
    assert "Hailuo 3 makes 768p, 2k; “1080p” isn't one of them." in wrong.text
    assert await app.store.ledger() == [] and creates(emu) == []


async def test_moderation_and_resolution_reach_the_models_that_take_them(
    core: tuple[Core, RunwayEmulator],
) -> None:
    app, emu = core
    for text in (
        "/video --moderation low a senator on a podium",
        "/video --model hailuo3 --resolution 2K a storm",
    ):
        reply = await ask(app, text)
        assert reply.job is not None, reply.text
        await finished(app, reply.job.id)
    gen45, hailuo = creates(emu)
    assert gen45["model"] == "gen4.5"
    assert gen45["contentModeration"] == {"publicFigureThreshold": "low"}
    assert hailuo["model"] == "hailuo3" and hailuo["resolution"] == "2k"


async def test_act_two_takes_the_expression_intensity(core: tuple[Core, RunwayEmulator]) -> None:
    app, emu = core
    face = Media(image_bytes((64, 64)), "image/jpeg")
    motion = Media(sample_mp4(), "video/mp4")
    reply = await ask(app, "/act --expression 5 --moderation auto", character=face, video=motion)
    assert reply.job is not None, reply.text
    assert await finished(app, reply.job.id) is JobState.DELIVERED
    (body,) = creates(emu)
    assert body["expressionIntensity"] == 5
    assert body["contentModeration"] == {"publicFigureThreshold": "auto"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('/video "a fox" --negative "snow, ice"', {"prompt": "a fox", "negative": "snow, ice"}),
        ("/video a fox --no-audio", {"prompt": "a fox", "audio": False}),
        ("/video --audio a fox", {"prompt": "a fox", "audio": True}),
        ("/act --expression 3 --moderation LOW", {"expression": 3, "moderation": "low"}),
        ("/video a fox --resolution 720P", {"prompt": "a fox", "resolution": "720p"}),
        ('/video --model "Veo 3.1 Fast" a fox', {"prompt": "a fox", "model": "veo 3.1 fast"}),
        # a quoted prompt with an option inside stays the prompt, word for word
        ('/video "say "hi" --seed 5"', {"prompt": 'say "hi" --seed 5'}),
        ('/video "he said "no" to me" --seed 5', {"prompt": 'he said "no" to me', "seed": 5}),
    ],
)
def test_the_options_as_typed(text: str, expected: dict[str, Any]) -> None:
    command = read(text)
    assert isinstance(command, VideoCommand), command
    for key, value in expected.items():
        assert getattr(command, key) == value, (key, command)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("/act --expression 6", "err_expression"),
        ("/video a fox --moderation high", "err_moderation"),
        ("/video a fox --resolution big", "err_resolution_format"),
        ('/video a fox --negative "no closing quote', "err_option_unclosed"),
        ("/video a fox --negative", "err_option_value"),
        ("/video a --audio fox", "err_option_in_prompt"),  # never taken from inside the prompt
        (f"/video a fox --negative {'x' * 1001}", "err_negative_long"),
    ],
)
def test_bad_values_are_refused_with_how_to_write_them(text: str, key: str) -> None:
    command = read(text)
    assert isinstance(command, Refused) and command.key == key, command


def test_a_forms_negative_prompt_is_taken_word_for_word() -> None:
    command = typed_video("a fox", negative=' "--seed 5", snow ', audio=False, expression=2)
    assert command.negative == '"--seed 5", snow' and command.audio is False
    assert command.options == ModelOptions(audio=False, negative='"--seed 5", snow', expression=2)


def test_the_options_are_stored_with_the_job_and_old_rows_have_none() -> None:
    options = ModelOptions(audio=False, negative="rain", moderation="low", resolution="768p")
    request = JobRequest(prompt="x", mode=Mode.TEXT, options=options)
    stored = request_to_json(request)
    assert stored["options"] == {
        "audio": False,
        "negative": "rain",
        "moderation": "low",
        "resolution": "768p",
    }
    assert request_from_json(stored).options == options
    assert "options" not in request_to_json(JobRequest(prompt="x", mode=Mode.TEXT))
    assert request_from_json({"prompt": "x"}).options == ModelOptions()
    assert request_from_json({"prompt": "x", "options": "junk"}).options == ModelOptions()


def test_discords_moderation_choices_are_the_cores_levels() -> None:
    assert get_args(Moderation) == MODERATION_LEVELS


@BACKENDS
async def test_the_options_survive_the_store_on_both_backends(store: Store) -> None:
    """What a restart or ↻ Again reads back: the options as the user set them."""
    options = ModelOptions(audio=True, negative="fog, “text”", expression=3)
    made = job_of(USER, 7)
    await store.reserve(replace(made, request=replace(made.request, options=options)), POLICY, 1.0)
    stored = await store.get_job(made.id)
    assert stored is not None and stored.request.options == options
