"""The chat syntax parser, by example and by property."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.commands import normalise_ratio, parse, split_command
from bot.errors import InvalidRequest


def test_full_option_syntax() -> None:
    cmd = parse("/video --model gen4_turbo --duration 10 --ratio 9:16 --seed 7 --watermark a fox")
    assert (cmd.name, cmd.prompt, cmd.model, cmd.duration, cmd.ratio, cmd.seed, cmd.watermark) == (
        "video", "a fox", "gen4_turbo", 10, "9:16", 7, True,
    )  # fmt: skip


def test_key_value_syntax_and_aspect_names() -> None:
    cmd = parse("/video ratio=portrait duration=10s a lighthouse in a storm")
    assert (cmd.ratio, cmd.duration, cmd.prompt) == ("9:16", 10, "a lighthouse in a storm")
    assert parse("/video landscape a boat").ratio == "16:9"
    assert parse("/video --ratio=1280:720 x").ratio == "16:9"
    assert parse("/video --ratio 1x1 x").ratio == "1:1"


def test_prompt_words_that_look_like_options_survive() -> None:
    assert parse("/video E=mc2 on a blackboard").prompt == "E=mc2 on a blackboard"
    assert parse("/video a portrait of a cat").ratio is None  # not leading: part of the prompt
    assert parse('/video "quoted prompt"').prompt == "quoted prompt"


def test_bot_mentions_and_em_dashes() -> None:
    assert split_command("/video@VideoBot hi there") == ("video", "hi there")
    assert parse("/video —duration 10 hi").duration == 10  # a phone's autocorrected "--"


def test_act_flags() -> None:
    cmd = parse("/act --body")
    assert cmd.name == "act" and cmd.body and cmd.prompt == ""


@pytest.mark.parametrize(
    "text", ["/video --duration", "/video --ratio 3:x a", "/video --nope a", "/video --seed x a"]
)
def test_bad_options_raise_catalogue_errors(text: str) -> None:
    with pytest.raises(InvalidRequest):
        parse(text)


def test_ratio_words() -> None:
    assert normalise_ratio("竖屏") == "9:16"
    with pytest.raises(InvalidRequest):
        normalise_ratio("wat")


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_any_text_parses_or_refuses_cleanly(text: str) -> None:
    for candidate in (text, "/video " + text, "/act " + text):
        try:
            cmd = parse(candidate)
        except InvalidRequest as exc:
            assert exc.key
        else:
            assert isinstance(cmd.prompt, str)
