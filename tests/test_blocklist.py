"""PROMPT_BLOCKLIST: how a file's lines are read and matched, the errors that name a line, and
the refusal through the real service against the Runway emulator: no reservation, no vendor
call, counted in the metrics without the prompt."""

from __future__ import annotations

import random
import re
import sqlite3
from pathlib import Path

import pytest

from adapters.ops.checks import FAIL, OK
from adapters.ops.local_checks import config_checks
from adapters.ops.metrics import OpsServer
from bot import texts
from bot.blocklist import BlocklistError, PromptScreen, load, parse
from bot.bootstrap import ConfigError
from bot.chat import StoredChat
from bot.commands import read
from bot.models import JobState, UserRef
from bot.service import Incoming, utc_day
from bot.vendors.runway import RunwayClient
from tests.emulators.runway import RunwayEmulator
from tests.helpers import RecordingSink, finished, make_core, settings_for, task_calls
from tests.test_ops_metrics import get, samples, value

pytestmark = pytest.mark.emulator(run_seconds=0.1)

USER = UserRef("test", "1")
LIST = """\
# words, one a line; re: for a regular expression
gore
blow up
暴力
re:\\bnsfw\\d*
AK-47
  Straße
"""


@pytest.mark.parametrize(
    ("prompt", "line"),
    [
        ("GORE everywhere!", 2),
        ("a gorilla in the mist", None),
        ("they blow\n   up the bridge", 3),
        ("我喜欢暴力电影", 4),  # no spaces between Chinese words: found inside
        ("nsfw2 clip", 5),
        ("a NSFW clip", 5),
        ("ｇｏｒｅ", 2),  # fullwidth
        ("go\u200bre", 2),  # a zero-width space inside
        ("an ak-47 on a table", 6),
        ("ak-470", None),
        ("STRASSE at night", 7),  # case-folded: ß is ss
        ("a paper boat on a stormy sea", None),
        ("", None),
    ],
)
def test_words_phrases_and_patterns(prompt: str, line: int | None) -> None:
    assert parse(LIST).line_of(prompt) == line


def test_words_sharing_a_beginning_are_each_found_whole() -> None:
    blocklist = parse("go\ngore\ngorefest\ngore fest\n鬼\n鬼畜\nc++\n")
    assert [blocklist.line_of(p) for p in ("go!", "gore.", "GOREFEST", "gore  fest")] == [
        1, 2, 3, 4,
    ]  # fmt: skip
    assert [blocklist.line_of(p) for p in ("goal", "gored", "gorefests", "鬼畜片", "c++11")] == [
        None, None, None, 6, 7,
    ]  # fmt: skip


def one_word(word: str) -> str:
    """A plain pattern for one word of the test's alphabet (a, b: Latin; 暴, 力: Han)."""
    body = r"\s+".join(re.escape(part) for part in word.split())
    return ("(?<!\\w)" if word[0] in "ab" else "") + body + ("(?!\\w)" if word[-1] in "ab" else "")


def test_the_trie_finds_what_one_pattern_per_word_finds() -> None:
    """Random lists and prompts over a small alphabet (so that words overlap a lot): the
    one pattern agrees with a plain search for each word."""
    rng = random.Random(7)
    alphabet = "ab 暴力"
    for _ in range(300):
        words = {
            " ".join("".join(rng.choices(alphabet, k=rng.randint(1, 4))).split()) for _ in range(4)
        } - {""}
        blocklist = parse("\n".join(words))
        singles = [re.compile(one_word(w)) for w in words]
        for _ in range(10):
            prompt = "".join(rng.choices(alphabet + "c", k=rng.randint(0, 12)))
            expected = any(s.search(prompt) for s in singles)
            assert (blocklist.line_of(prompt) is not None) == expected, (words, prompt)


def test_comments_and_blank_lines_are_no_entries() -> None:
    assert parse("# gore\n\n   \n  # re:.\n").entries == 0
    assert parse("# gore\n\n   \n  # re:.\n").line_of("gore") is None
    assert parse("\ufeffgore\n").line_of("gore") == 1  # a byte order mark is no part of it


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("gore\nre:(unclosed\n", "line 2 ('re:(unclosed'): not a valid regular expression"),
        ("re:(a+)+$\n", "line 1 ('re:(a+)+$'): repeats a repetition"),
        ("x\n\nre:(\\w+\\s?)*!\n", "line 3 ('re:(\\\\w+\\\\s?)*!'): repeats a repetition"),
        ("re:a*\n", "line 1 ('re:a*'): matches an empty prompt"),
        ("re:\n", "line 1 ('re:'): matches an empty prompt"),
        ("\u200b\u200d\n", "line 1 ('\\u200b\\u200d'): has no visible characters"),
        ("x" * 201, f"line 1 ('{'x' * 201}'): is longer than 200 characters"),
    ],
)
def test_a_wrong_line_is_named(text: str, wrong: str) -> None:
    with pytest.raises(BlocklistError) as caught:
        parse(text)
    assert f"PROMPT_BLOCKLIST {wrong}" in str(caught.value)


def test_safe_repetitions_are_accepted() -> None:
    blocklist = parse("re:(?:\\s++\\w++)*x\nre:(?>q+)+z\nre:(ab{2})+\nre:(a|b)+c\n")
    assert blocklist.entries == 4
    assert blocklist.line_of("abbabb") == 3


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(BlocklistError, match=r"missing\.txt: cannot read it"):
        load(tmp_path / "missing.txt")
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("straße\n".encode("latin-1"))
    with pytest.raises(BlocklistError, match=r"latin1\.txt: cannot read it: not UTF-8"):
        load(latin)


def test_reload_takes_a_new_file_and_keeps_the_old_list_on_a_wrong_one(tmp_path: Path) -> None:
    path = tmp_path / "blocklist.txt"
    path.write_text("gore\n", encoding="utf-8")
    screen = PromptScreen(path)
    path.write_text("gore\nboat\n", encoding="utf-8")
    assert screen.refuses("a paper boat") is None  # read once, at start
    assert screen.reload() and screen.refuses("a paper boat") == 2
    path.write_text("re:(\n", encoding="utf-8")
    assert not screen.reload() and screen.refuses("a paper boat") == 2


async def test_a_wrong_file_stops_the_bot_at_start(tmp_path: Path) -> None:
    path = tmp_path / "blocklist.txt"
    path.write_text("gore\nre:[z-a]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"blocklist.txt line 2 \('re:\[z-a\]'\)"):
        await make_core(tmp_path, prompt_blocklist=path)


def test_doctor_names_the_wrong_line(tmp_path: Path) -> None:
    path = tmp_path / "blocklist.txt"
    path.write_text("gore\nre:a**\n", encoding="utf-8")
    [row] = config_checks(settings_for(tmp_path, prompt_blocklist=path))
    assert row.name == "config PROMPT_BLOCKLIST" and row.status == FAIL
    assert "line 2 ('re:a**'): not a valid regular expression" in row.detail
    path.write_text("gore\n", encoding="utf-8")
    assert [r.status for r in config_checks(settings_for(tmp_path, prompt_blocklist=path))] == [OK]


def ledger_rows(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "videobot.db") as conn:
        return int(conn.execute("SELECT count(*) FROM ledger").fetchone()[0])


async def test_a_blocked_prompt_reserves_nothing_and_reaches_no_vendor(
    tmp_path: Path, emu: RunwayEmulator
) -> None:
    path = tmp_path / "blocklist.txt"
    path.write_text(LIST, encoding="utf-8")
    ops = OpsServer("127.0.0.1", 0)
    [client] = ops.metrics.instrument([RunwayClient(api_key="test-key", base_url=emu.base_url)])
    core = await make_core(
        tmp_path, vendors=[client], video_vendors=["runway"], prompt_blocklist=path,
        confirm_above_credits=0,  # every job would ask first: the refusal comes before
    )  # fmt: skip
    await ops.start(core)
    try:
        await core.start()
        service = core.service
        negative = '/video --model veo3.1_fast --duration 6 --negative "gore" a lighthouse'
        asked = (("/video gore on a lighthouse", "en"), ("/video 暴力场面", "zh"), (negative, "en"))
        for text, locale in asked:
            reply = await service.handle(Incoming(USER, read(text), locale))
            assert reply.error and reply.job is None and reply.confirm is None
            assert reply.text == texts.t(locale, "err_prompt_blocked")
        assert "gore" not in texts.t("en", "err_prompt_blocked")
        assert task_calls(emu) == [] and ledger_rows(tmp_path) == 0
        balance = await core.store.balance(USER, utc_day(core.engine.clock()))
        assert balance.left(10) == 10

        found = samples((await get(ops, "/metrics")).text)
        assert value(found, "videobot_prompts_blocked_total") == 3
        assert "gore" not in (await get(ops, "/metrics")).text
    finally:
        await ops.stop()
        await core.aclose()


async def test_again_after_a_reload_is_refused_too(tmp_path: Path, emu: RunwayEmulator) -> None:
    """Every way to start a job passes the screen: here the Again button of a video made
    before its words were added to the list."""
    path = tmp_path / "blocklist.txt"
    path.write_text("gore\n", encoding="utf-8")
    client = RunwayClient(api_key="test-key", base_url=emu.base_url)
    core = await make_core(
        tmp_path, vendors=[client], video_vendors=["runway"], prompt_blocklist=path
    )
    try:
        core.engine.subscribe("test", RecordingSink())
        await core.start()
        made = await core.service.handle(Incoming(USER, read("/video a paper boat")))
        assert made.job is not None, made.text
        job_id = made.job.id
        assert await finished(core, job_id) is JobState.DELIVERED
        creates, rows = len(task_calls(emu)), ledger_rows(tmp_path)
        path.write_text("gore\npaper boat\n", encoding="utf-8")
        assert core.service.screen.reload()
        reply = await core.service.again(USER, job_id, "en", StoredChat({}))
        assert reply.error and reply.text == texts.t("en", "err_prompt_blocked")
        assert (len(task_calls(emu)), ledger_rows(tmp_path)) == (creates, rows)
    finally:
        await core.aclose()
