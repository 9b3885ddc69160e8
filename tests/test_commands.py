"""The chat syntax parser, by example and by property."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.commands import normalise_ratio, parse, split_command, typed_video
from bot.errors import InvalidRequest


def test_full_option_syntax() -> None:
    cmd = parse("/video --model gen4_turbo --duration 10 --ratio 9:16 --seed 7 --watermark a fox")
    assert (cmd.name, cmd.prompt, cmd.model, cmd.duration, cmd.ratio, cmd.seed, cmd.watermark) == (
        "video", "a fox", "gen4_turbo", 10, "9:16", 7, True,
    )  # fmt: skip


def test_key_value_syntax_and_aspect_names_as_values() -> None:
    cmd = parse("/video ratio=portrait duration=10s a lighthouse in a storm")
    assert (cmd.ratio, cmd.duration, cmd.prompt) == ("9:16", 10, "a lighthouse in a storm")
    assert parse("/video --ratio landscape a boat").ratio == "16:9"
    assert parse("/video --ratio 竖屏 一只猫").ratio == "9:16"
    assert parse("/video --ratio=1280:720 x").ratio == "16:9"
    assert parse("/video --ratio 1x1 x").ratio == "1:1"


@pytest.mark.parametrize(
    "prompt",
    [
        "portrait of a woman at dusk",
        "landscape with mountains and a lake",
        "square dance in a barn",
        "vertical farming in a city",
        "cinematic shot of a train",
        "竖屏 一只猫",
        "E=mc2 on a blackboard",
        "a portrait of a cat",
        "ratio of gold in a shell",
        "seed pods — falling —slowly",
        "wait --- what -- really",
    ],
)
def test_prompt_words_are_never_options(prompt: str) -> None:
    cmd = parse(f"/video {prompt}")
    assert (cmd.prompt, cmd.ratio, cmd.seed, cmd.duration) == (prompt, None, None, None)


def test_options_before_or_after_the_prompt() -> None:
    before = parse("/video --seed 42 --ratio portrait portrait of a woman")
    after = parse("/video portrait of a woman --seed 42 --ratio portrait")
    for cmd in (before, after):
        assert (cmd.prompt, cmd.seed, cmd.ratio) == ("portrait of a woman", 42, "9:16")
    mixed = parse("/video ratio=square square dance --duration 10 seed=3 --watermark")
    assert (mixed.prompt, mixed.ratio, mixed.duration, mixed.seed, mixed.watermark) == (
        "square dance", "1:1", 10, 3, True,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "option", "fixed", "quoted"),
    [
        (
            "/video a cat --seed 42 jumps",
            "--seed 42",
            "/video --seed 42 a cat jumps",
            '/video "a cat --seed 42 jumps"',
        ),
        (
            "/video --duration 10 a sign that says ratio=9:16",
            "ratio=9:16",
            "/video --duration 10 --ratio 9:16 a sign that says",
            '/video --duration 10 "a sign that says ratio=9:16"',
        ),
        (
            "/video a sign that says ratio=9:16 in red",
            "ratio=9:16",
            "/video --ratio 9:16 a sign that says in red",
            '/video "a sign that says ratio=9:16 in red"',
        ),
        (
            '/video "a cat —seed 5 jumps',
            "—seed 5",
            "/video --seed 5 a cat jumps",
            '/video "a cat —seed 5 jumps"',
        ),
        (
            "/video a cat --watermark jumps --seed 1",
            "--watermark",
            "/video --watermark --seed 1 a cat jumps",
            '/video --seed 1 "a cat --watermark jumps"',
        ),
    ],
)
def test_an_option_inside_the_prompt_is_refused_with_both_ways_to_write_it(
    text: str, option: str, fixed: str, quoted: str
) -> None:
    with pytest.raises(InvalidRequest) as refused:
        parse(text)
    assert refused.value.key == "err_option_in_prompt"
    assert refused.value.params == {"option": option, "fixed": fixed, "quoted": quoted}
    parse(fixed)  # both suggestions are accepted as they are written
    kept = parse(quoted)
    assert kept.prompt == quoted.split('"')[1]


def test_a_quoted_prompt_is_taken_word_for_word() -> None:
    cmd = parse('/video --ratio 9:16 "a cat --seed 42 jumps, portrait" --seed 7')
    assert (cmd.prompt, cmd.ratio, cmd.seed) == ("a cat --seed 42 jumps, portrait", "9:16", 7)
    assert parse("/video 「一只猫 --seed 5」").prompt == "一只猫 --seed 5"
    assert parse("/video it's a dog's life --seed 2").prompt == "it's a dog's life"


def test_typed_options_build_the_command_without_parsing_the_prompt() -> None:
    cmd = typed_video("portrait of a woman --seed 5  ratio=1:1", duration="10", ratio="square")
    assert (cmd.name, cmd.prompt, cmd.duration, cmd.ratio, cmd.seed) == (
        "video", "portrait of a woman --seed 5 ratio=1:1", 10, "1:1", None,
    )  # fmt: skip
    assert typed_video("x", seed=9, model="Gen4.5").seed == 9
    with pytest.raises(InvalidRequest):
        typed_video("x", ratio="wat")


def test_prompt_words_that_look_like_options_survive() -> None:
    assert parse("/video E=mc2 on a blackboard").prompt == "E=mc2 on a blackboard"
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
