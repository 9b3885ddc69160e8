"""deploy/grafana/videobot.json: every PromQL query in it names only series the bot exports
(taken from the metrics registry itself), and aggregates them, so a label added to every
series (one per process, say) neither splits nor breaks a panel."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.ops.metrics import Metrics

DASHBOARD = Path(__file__).resolve().parent.parent / "deploy" / "grafana" / "videobot.json"

# The sample names each family type exposes to PromQL (prometheus_client's text format).
SUFFIXES = {
    "counter": ("_total",),
    "gauge": ("",),
    "histogram": ("_bucket", "_sum", "_count"),
    "summary": ("", "_sum", "_count"),
    "info": ("_info",),
}
AGGREGATIONS = {
    "sum", "min", "max", "avg", "count", "group", "stddev", "stdvar", "topk", "bottomk",
    "quantile", "count_values",
}  # fmt: skip
KEYWORDS = {"bool", "offset", "and", "or", "unless", "group_left", "group_right", "inf", "nan"}
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_NAME = re.compile(r"(?<![\w.$])[A-Za-z_:][\w:]*")


def exported() -> set[str]:
    """Every series name the bot's registry exposes, histogram parts included."""
    names = set()
    for family in Metrics().registry.collect():
        names.update(family.name + suffix for suffix in SUFFIXES[family.type])
    return names


def _bare(expr: str) -> str:
    """The query without strings, label matchers, ranges, grouping clauses or variables."""
    expr = _STRING.sub('""', expr)
    expr = re.sub(r"\{[^}]*\}", "", expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)
    expr = _GROUPING.sub("", expr)
    return re.sub(r"\$\{?\w+\}?", "", expr)


def metric_names(expr: str) -> list[tuple[str, bool]]:
    """(metric name, whether an aggregation encloses it) for each series a query selects."""
    bare = _bare(expr)
    found: list[tuple[str, bool]] = []
    stack: list[str] = []  # the function each open parenthesis belongs to ("" for none)
    last = ""  # the identifier just before, for the parenthesis that may follow it
    pos = 0
    while pos < len(bare):
        char = bare[pos]
        name = _NAME.match(bare, pos)
        if name is not None:
            word, pos = name.group(), name.end()
            following = bare[pos:].lstrip()[:1]
            if following != "(" and word not in KEYWORDS:
                found.append((word, bool(AGGREGATIONS & set(stack))))
            last = word
            continue
        if char == "(":
            stack.append(last)
        elif char == ")" and stack:
            stack.pop()
        if not char.isspace():
            last = ""
        pos += 1
    return found


def queries(node: Any) -> Iterator[str]:
    """Every `expr` anywhere in the dashboard (panels, rows' panels)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "expr" and isinstance(value, str):
                yield value
            else:
                yield from queries(value)
    elif isinstance(node, list):
        for item in node:
            yield from queries(item)


def test_the_query_reader_finds_names_and_their_aggregation() -> None:
    expr = (
        'histogram_quantile(0.95, sum by (vendor, le) (rate(a_bucket{x="b c(d)",p=~"$p"}'
        "[$__rate_interval]))) / on (vendor) group_left count(b_total offset 1h) + c_gauge * 1e3"
    )
    assert metric_names(expr) == [("a_bucket", True), ("b_total", True), ("c_gauge", False)]
    assert metric_names("sum(rate(vidoebot_jobs_total[5m]))") == [("vidoebot_jobs_total", True)]


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    return dict(json.loads(DASHBOARD.read_text(encoding="utf-8")))


def test_every_query_names_only_exported_series_and_aggregates_them(
    dashboard: dict[str, Any],
) -> None:
    known = exported()
    assert {"videobot_jobs_total", "videobot_delivery_lag_seconds_bucket"} <= known
    exprs = list(queries(dashboard["panels"]))
    assert len(exprs) >= 20
    for expr in exprs:
        names = metric_names(expr)
        assert names, expr
        unknown = {name for name, _ in names} - known
        assert not unknown, f"{expr}: {unknown} is not exported"
        bare = [name for name, aggregated in names if not aggregated]
        assert not bare, f"{expr}: {bare} is not aggregated (sum by, max by, ...)"


def test_the_process_variable_reads_an_exported_series(dashboard: dict[str, Any]) -> None:
    [process] = [v for v in dashboard["templating"]["list"] if v["name"] == "process"]
    selector = re.fullmatch(r"label_values\((\w+)(?:\{[^}]*\})?, process\)", process["definition"])
    assert selector is not None and selector.group(1) in exported()
    assert process["allValue"] == ".*"  # matches series without the label too


def test_the_dashboard_shows_what_operators_watch(dashboard: dict[str, Any]) -> None:
    used = {name for expr in queries(dashboard["panels"]) for name, _ in metric_names(expr)}
    for series in (
        "videobot_jobs_total", "videobot_job_failures_total", "videobot_jobs_in_flight",
        "videobot_jobs_queued", "videobot_delivery_lag_seconds_bucket", "videobot_credits_total",
        "videobot_vendor_spend_usd_total", "videobot_vendor_balance",
        "videobot_prompts_blocked_total",
    ):  # fmt: skip
        assert series in used, series


def test_panels_are_well_formed(dashboard: dict[str, Any]) -> None:
    panels = dashboard["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    for panel in panels:
        assert {"h", "w", "x", "y"} <= set(panel["gridPos"]) and panel["title"]
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        assert panel["targets"] and all(t["expr"] and t["refId"] for t in panel["targets"])
