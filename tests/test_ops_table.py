"""The admin commands' tables: aligned columns, one row per line whatever a user typed."""

from __future__ import annotations

import io

from adapters.ops.table import clip, print_table, utc_time


def test_columns_are_padded_to_their_widest_cell() -> None:
    out = io.StringIO()
    print_table(["JOB", "USER", ""], [["ab12", "telegram:1", "banned"], ["c3", "x", ""]], out, "-")
    assert out.getvalue().splitlines() == [
        "JOB   USER",
        "ab12  telegram:1  banned",
        "c3    x",
    ]


def test_no_rows_prints_the_empty_line() -> None:
    out = io.StringIO()
    print_table(["JOB"], [], out, empty="no jobs")
    assert out.getvalue() == "no jobs\n"


def test_a_cell_cannot_break_a_row_or_drive_the_terminal() -> None:
    out = io.StringIO()
    print_table(["PROMPT"], [["boat\n\x1b[2Jsea\u202e"]], out, "-")
    assert out.getvalue().splitlines() == ["PROMPT", "boat\\x0a\\x1b[2Jsea\\u202e"]


def test_times_are_utc_and_long_prompts_are_clipped_to_one_line() -> None:
    assert utc_time(0) == "1970-01-01 00:00:00"
    assert clip("a  paper\nboat", 40) == "a paper boat"
    assert clip("x" * 50, 10) == "x" * 9 + "…"
