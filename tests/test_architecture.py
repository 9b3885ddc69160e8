"""The layering rules: the core never imports a chat platform or an adapter, no module
import loops, only the ops tools in adapters/ speak to the vendor clients (the rest take
shared constants from the core), and no module grows past 300 lines."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import bot

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "adapters")


def test_core_imports_no_platform() -> None:
    modules = [m.name for m in pkgutil.walk_packages(bot.__path__, "bot.")]
    assert "bot.jobs.engine" in modules and "bot.vendors.local" in modules
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "roots = ('telegram', 'discord', 'adapters')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in roots)\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"bot/ imported {result.stdout.strip()}"


def _modules() -> dict[str, Path]:
    """Every module under bot/ and adapters/ by dotted name (a package by its own name)."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imported(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules `name` imports anywhere in its source, `if TYPE_CHECKING:` and
    function bodies included: a loop there is still a loop in the design."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                child = f"{base}.{alias.name}"
                targets.add(child if child in modules else base)
    return {t for t in targets if t in modules and t != name}


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imported(name, path, modules) for name, path in modules.items()}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One representative loop per strongly connected group of modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_cycle_finder_sees_a_loop_through_type_checking_imports(tmp_path: Path) -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(graph) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.models import Job\n"
    module = tmp_path / "probe.py"
    module.write_text(source)
    assert _imported("bot.probe", module, _modules()) == {"bot.models"}


def test_no_import_cycles_in_bot_or_adapters() -> None:
    graph = import_graph()
    assert "adapters.discord.cog" in graph and "bot.jobs.engine" in graph
    cycles = find_cycles(graph)
    assert cycles == [], "modules that import each other: " + "; ".join(
        " <-> ".join(group) for group in cycles
    )


# The ops tools check the vendor keys (doctor) and time the vendor calls (metrics): they
# alone in adapters/ may speak to the vendor clients; everything else goes through the core.
OPS = "adapters.ops"


def _in_ops(module: str) -> bool:
    return module == OPS or module.startswith(OPS + ".")


def test_only_the_ops_tools_import_the_vendor_package() -> None:
    graph = import_graph()
    outside = [m for m in graph if m.startswith("adapters") and not _in_ops(m)]
    assert "adapters.discord.cog" in outside and "adapters.telegram.status" in outside
    assert "adapters.callbacks" in outside and "adapters.runtime" in outside
    offenders = {m: sorted(t for t in graph[m] if t.startswith("bot.vendors")) for m in outside}
    assert {m: v for m, v in offenders.items() if v} == {}


OPS_TOOLS = ("doctor", "admin", "metrics", "timing")


def test_the_ops_tools_live_in_their_own_package() -> None:
    """doctor, the admin commands, the metrics server and the vendor timing: one package."""
    modules = _modules()
    assert {f"{OPS}.{name}" for name in OPS_TOOLS} <= set(modules)
    stray = ("doctor", "admin", "metrics", "vendor_timing")
    assert [name for name in stray if f"adapters.{name}" in modules] == []


def test_ops_modules_stay_small() -> None:
    folder = ROOT / "adapters" / "ops"
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in folder.glob("*.py")}
    assert "doctor.py" in sizes
    assert {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES} == {}


def test_the_chat_syntax_needs_no_vendor_module() -> None:
    graph = import_graph()
    for module in ("bot.commands", "bot.models"):
        assert not [t for t in graph[module] if t.startswith("bot.vendors")], module


def test_runway_pixel_pairs_are_accepted_as_their_aspect() -> None:
    """The core's copy of the pixel spellings agrees with the Runway client's tables."""
    from bot.commands import normalise_ratio
    from bot.models import ASPECTS
    from bot.vendors.runway import GEN3_PIXELS, GEN4_PIXELS

    for table in (GEN4_PIXELS, GEN3_PIXELS):
        assert set(table) <= set(ASPECTS)
        for aspect, pixels in table.items():
            assert normalise_ratio(pixels) == aspect
            assert normalise_ratio(pixels.replace(":", "x")) == aspect


def test_discord_adapter_modules_stay_small() -> None:
    """Each module of the Discord adapter is one concern that can be read in one go."""
    folder = ROOT / "adapters" / "discord"
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in folder.glob("*.py")}
    assert {name: n for name, n in sizes.items() if n > 250} == {}


MAX_MODULE_LINES = 300


def oversized(paths: dict[str, Path], limit: int = MAX_MODULE_LINES) -> dict[str, int]:
    """The modules longer than `limit` lines, with their length."""
    lengths = {name: len(p.read_text(encoding="utf-8").splitlines()) for name, p in paths.items()}
    return {name: n for name, n in sorted(lengths.items()) if n > limit}


def test_the_size_check_counts_lines(tmp_path: Path) -> None:
    short, long = tmp_path / "short.py", tmp_path / "long.py"
    short.write_text("x = 1\n" * 300)
    long.write_text("x = 1\n" * 301)
    assert oversized({"short": short, "long": long}) == {"long": 301}


def test_no_module_in_bot_or_adapters_is_over_300_lines() -> None:
    """A module is one subject that can be read in one go; a larger one wants splitting."""
    modules = _modules()
    assert "bot.texts" in modules and "adapters.cli" in modules
    assert oversized(modules) == {}


def test_job_engine_modules_stay_small() -> None:
    assert not (ROOT / "bot" / "engine.py").exists()  # the engine lives in bot/jobs/
    sizes = {
        path.name: len(path.read_text(encoding="utf-8").splitlines())
        for path in (ROOT / "bot" / "jobs").glob("*.py")
    }
    assert "engine.py" in sizes and "kernel.py" in sizes
    assert all(lines <= 250 for lines in sizes.values()), sizes


DRIVERS = (
    "sqlite3", "aiosqlite", "bot.storage.sqlite", "asyncpg", "psycopg", "psycopg_pool",
    "bot.storage.postgres",
)  # fmt: skip
# Measures the PostgreSQL drivers themselves, to choose one (see the README).
DRIVER_BENCHMARK = ROOT / "bench" / "pg_driver.py"


def _raw_imports(path: Path) -> set[str]:
    """Every module name `path` imports, anywhere in its source, `from x import y` as x.y."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_only_the_storage_package_speaks_to_the_database_driver() -> None:
    """Everything else goes through the `Store` interface and catches StoreUnavailable, so
    SQLite and PostgreSQL are interchangeable."""
    paths = [
        p
        for package in ("bot", "adapters", "bench")
        for p in sorted((ROOT / package).rglob("*.py"))
        if (ROOT / "bot" / "storage") not in p.parents and p != DRIVER_BENCHMARK
    ]
    assert ROOT / "adapters" / "ops" / "doctor.py" in paths and ROOT / "bench" / "chaos.py" in paths
    offenders = {
        str(p.relative_to(ROOT)): sorted(
            n for n in _raw_imports(p) if any(n == d or n.startswith(d + ".") for d in DRIVERS)
        )
        for p in paths
    }
    assert {p: names for p, names in offenders.items() if names} == {}


def test_storage_modules_stay_small() -> None:
    folder = ROOT / "bot" / "storage"
    sizes = {
        str(p.relative_to(folder)): len(p.read_text(encoding="utf-8").splitlines())
        for p in folder.rglob("*.py")
    }
    assert "postgres/store.py" in sizes
    assert {name: n for name, n in sizes.items() if n > 250} == {}
