"""Fuzzing the intake: any text a chat can carry, through the parser and the whole handler.

Properties: the parser either parses or refuses with a catalogue message; `handle` never
lets an exception out (it would answer `internal_error`); a refusal is a clear message and
moves no credit; an accepted video reserves exactly its cost.
"""

from __future__ import annotations

import asyncio
import re
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import texts
from bot.bootstrap import Core
from bot.command_types import VideoCommand
from bot.commands import parse, read
from bot.errors import InvalidRequest
from bot.models import UserRef
from bot.service import Incoming

pytestmark = pytest.mark.intake("runway", "openai-hk")

FUZZ = settings(
    max_examples=250,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
USER = UserRef("fuzz", "1")
RATIO_OPTION = re.compile(r"(^|\s)((--|—)(ratio|r|aspect)\b|(ratio|aspect)=)", re.I)
SEED_OPTION = re.compile(r"(^|\s)((--|—)(seed|s)\b|seed=)", re.I)
INTERNAL = {texts.t(loc, "internal_error") for loc in ("en", "zh")}

COMMANDS = [
    "/video",
    "/act",
    "/video@VideoBot",
    "/VIDEO",
    "/Video",
    "/quota",
    "/jobs",
    "/cancel",
    "/help",
    "/start",
    "/grant",
    "/ban",
    "/unban",
    "/stats",
    "/nope",
    "video",
    "/",
    "/video_",
    " /video",
]
OPTIONS = [
    "--duration",
    "--ratio",
    "--seed",
    "--model",
    "--watermark",
    "--body",
    "—duration",
    "--d",
    "--r",
    "--m",
    "--s",
    "--aspect",
    "-x",
    "--",
    "---",
    "--unknown",
    "--ratio=",
    "--ratio=portrait",
    "ratio=portrait",
    "aspect=square",
    "—seed",
    "—and",
]
VALUES = [
    "5",
    "10",
    "0",
    "-1",
    "7",
    "99999999999999",
    "4294967295",
    "4294967296",
    "16:9",
    "9:16",
    "7:3",
    "0:0",
    "1280:720",
    "16x9",
    "16/9",
    "landscape",
    "竖屏",
    "square",
    "gen4.5",
    "gen4_turbo",
    "gen3a_turbo",
    "act_two",
    "gen4_aleph",
    "x",
    "10s",
    "5秒",
    "ratio=9:16",
    "duration=10",
    "seed=42",
    "model=foo",
    "E=mc2",
    "d=",
    "=",
    "\u200b",
    "🎬",
    "a" * 1100,
    "'",
    '"quoted"',
    "「引号」",
    "portrait",
    "vertical",
    "横屏",
    '"a',
    'b"',
]
WORD = st.one_of(
    st.sampled_from(OPTIONS),
    st.sampled_from(VALUES),
    st.text(alphabet=string.printable, max_size=12),
    st.text(max_size=12),
)


@st.composite
def command_text(draw: st.DrawFn) -> str:
    head = draw(st.sampled_from(COMMANDS))
    sep = draw(st.sampled_from([" ", "  ", "\n", "\t", " \u3000"]))
    words = draw(st.lists(WORD, max_size=10))
    return head + sep + sep.join(words)


TEXTS = st.one_of(command_text(), st.text(max_size=200))


def _clear(text: str, typed: str = "") -> bool:
    """A refusal reads as a message: some words, no exception leaking through.

    What the user typed may come back quoted (a prompt or a ratio of "None"), so a marker
    that appears in the input is not held against the reply.
    """
    markers = [m for m in ("Traceback", "Error(", "None") if m not in typed]
    return bool(text.strip()) and not any(m in text for m in markers)


@given(TEXTS)
@FUZZ
def test_parser_parses_or_refuses_with_a_catalogue_message(text: str) -> None:
    try:
        cmd = parse(text)
    except InvalidRequest as exc:
        assert exc.key in texts.CATALOG
        for locale in ("en", "zh"):
            assert _clear(texts.t(locale, exc.key, **exc.params), typed=text)
        return
    assert cmd.name and cmd.name == cmd.name.lower()
    if isinstance(cmd, VideoCommand):
        assert cmd.duration is None or isinstance(cmd.duration, int)
        assert cmd.seed is None or 0 <= cmd.seed < 10**12
        assert cmd.ratio is None or ":" in cmd.ratio
        # The prompt is one run of what was typed: no word moved in or out of its middle.
        assert cmd.prompt in " ".join(text.split()), (text, cmd.prompt)
        # Only a ratio option sets the ratio; a bare aspect word is prompt text.
        assert cmd.ratio is None or RATIO_OPTION.search(text), (text, cmd.ratio)
        assert cmd.seed is None or SEED_OPTION.search(text), (text, cmd.seed)


async def check_handle(core: Core, msg: Incoming, text: str) -> None:
    """Run one message (`text` as typed) and check the money properties around it."""
    before = await core.store.ledger()
    reply = await core.service.handle(msg)
    after = await core.store.ledger()
    new = after[len(before) :]
    assert reply.text not in INTERNAL, f"an exception escaped for {text!r}"
    assert _clear(reply.text, typed=text), reply.text
    if reply.job is not None:
        assert not reply.error
        seed = reply.job.request.seed  # always chosen, stored and shown
        assert isinstance(seed, int) and f" {seed} " in reply.text, reply.text
        assert [(e.kind, e.job_id, e.amount) for e in new] == [
            ("reserve", reply.job.id, reply.job.cost)
        ]
    elif reply.error:
        assert new == [], f"a refusal moved credits: {text!r} -> {reply.text!r}"
    else:
        assert all(e.kind not in ("reserve", "charge") for e in new)


@given(text=TEXTS, locale=st.sampled_from([None, "en", "zh-hans", "de", "", "xx-YY"]))
@FUZZ
def test_any_text_gets_an_answer_and_refusals_move_no_credit(
    core_loop: tuple[Core, asyncio.AbstractEventLoop], text: str, locale: str | None
) -> None:
    core, loop = core_loop
    msg = Incoming(user=USER, command=read(text), locale=locale)
    loop.run_until_complete(check_handle(core, msg, text))
