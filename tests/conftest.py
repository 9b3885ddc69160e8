"""Fixtures shared by the test modules: a vendor emulator on 127.0.0.1 with the vendor's real
client pointed at it, a core on a real SQLite file (also an intake-only one for the fuzzers),
the Discord harness, a clean environment.

A module (or one test) picks its emulator with the `emulator` mark, for instance
`pytestmark = pytest.mark.emulator("aimlapi", key=KEY, clock=True, queue_seconds=1)`: the
vendor id of `tests.emulators.registry.CASES` (default "runway"), the API key (default the
emulator's own), `clock=True` to drive the emulator's task phases by the `clock` fixture instead
of real time, and any other keyword for the emulator's constructor. Without the mark, `emu` is
the Runway emulator with its defaults.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.bootstrap import Core
from bot.config import Settings
from bot.storage import Store, open_store
from bot.vendors.base import VendorClient
from tests import postgres
from tests.discord_emulator import Harness
from tests.emulators.base import VendorEmulator
from tests.emulators.registry import CASES, client_for
from tests.emulators.reseller import Clock
from tests.helpers import make_core

_postgres_skipped: list[str] = []  # why the PostgreSQL tests skipped, shown once at the end


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "emulator(vendor='runway', *, key=None, clock=False, **options): "
        "which vendor emulator the `emu` fixture starts, and how (see tests/conftest.py)",
    )
    config.addinivalue_line(
        "markers", "harness(**overrides): core settings for the Discord harness fixture `h`"
    )
    config.addinivalue_line(
        "markers", "intake(*vendors): the vendor ids of the intake-only core `core_loop`"
    )


@dataclass(frozen=True)
class EmulatorSpec:
    """What the `emulator` mark asks for."""

    vendor: str = "runway"
    key: str | None = None
    clock: bool = False
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, request: pytest.FixtureRequest) -> EmulatorSpec:
        mark = request.node.get_closest_marker("emulator")
        if mark is None:
            return cls()
        options = dict(mark.kwargs)
        return cls(
            vendor=mark.args[0] if mark.args else options.pop("vendor", "runway"),
            key=options.pop("key", None),
            clock=options.pop("clock", False),
            options=options,
        )


@pytest.fixture
def clock() -> Clock:
    """A hand-driven clock; the emulator follows it when marked `clock=True`."""
    return Clock()


@pytest.fixture
def emulator_spec(request: pytest.FixtureRequest) -> EmulatorSpec:
    return EmulatorSpec.of(request)


@pytest.fixture
async def emu(emulator_spec: EmulatorSpec, clock: Clock) -> AsyncIterator[VendorEmulator]:
    """The marked vendor's emulator, serving on a free port for one test."""
    factory = CASES[emulator_spec.vendor][0]
    key = {"api_key": emulator_spec.key} if emulator_spec.key else {}
    emulator = factory(**key, **emulator_spec.options)
    if emulator_spec.clock:
        emulator.clock = clock
    async with emulator:
        yield emulator


@pytest.fixture
async def client(emulator_spec: EmulatorSpec, emu: VendorEmulator) -> AsyncIterator[VendorClient]:
    """The vendor's real client, pointed at `emu` with the emulator's key."""
    made = client_for(emulator_spec.vendor, emu)
    yield made
    await made.aclose()


@pytest.fixture(scope="session")
def postgres_run_database() -> Iterator[str | BaseException]:
    """This run's throwaway PostgreSQL database (its URL), or why there is none."""
    try:
        url = postgres.run(postgres.create_database(postgres.server_url()))
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        yield exc
        return
    yield url
    postgres.run(postgres.drop_database(url))


def _postgres_or_skip(found: str | BaseException) -> str:
    if isinstance(found, str):
        return found
    reason = postgres.unreachable_reason(found)
    if postgres.required():
        pytest.fail(f"{reason} (VIDEOBOT_REQUIRE_POSTGRES is set)", pytrace=False)
    if reason not in _postgres_skipped:
        _postgres_skipped.append(reason)
    pytest.skip(reason)


@pytest.fixture
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """DATABASE_URL of an empty store: a SQLite file in `tmp_path` unless parametrised with
    "postgres" (see tests.postgres.BACKENDS): then this run's PostgreSQL database, emptied
    (created by the first test that asks for it)."""
    if getattr(request, "param", "sqlite") == "sqlite":
        return f"sqlite:///{tmp_path / 'videobot.db'}"
    url = _postgres_or_skip(request.getfixturevalue("postgres_run_database"))
    await postgres.empty_tables(url)
    return url


@pytest.fixture
async def fresh_postgres_url(postgres_run_database: str | BaseException) -> AsyncIterator[str]:
    """A PostgreSQL database of its own, never migrated, dropped after the test."""
    server = _postgres_or_skip(postgres_run_database)
    url = await postgres.create_database(server)
    yield url
    await postgres.drop_database(url)


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    """The store on `database_url`, opened (so migrated)."""
    opened = await open_store(database_url)
    try:
        yield opened
    finally:
        await opened.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for reason in _postgres_skipped:
        terminalreporter.write_line(reason, yellow=True)


@pytest.fixture
async def core(
    tmp_path: Path, emulator_spec: EmulatorSpec, client: VendorClient, database_url: str
) -> AsyncIterator[Core]:
    """A core on `database_url` (a SQLite file in `tmp_path`, unless parametrised) whose
    one vendor is `client`; not started."""
    made = await make_core(
        tmp_path, vendors=[client], video_vendors=[emulator_spec.vendor], database_url=database_url
    )
    yield made
    await made.aclose()


@pytest.fixture
async def h(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    emulator_spec: EmulatorSpec,
    client: VendorClient,
) -> AsyncIterator[Harness]:
    """The Discord adapter against the fake Discord, on a core whose one vendor is `client`;
    the `harness` mark adds core settings (e.g. admin_user_ids)."""
    mark = request.node.get_closest_marker("harness")
    overrides = dict(mark.kwargs) if mark else {}
    async with Harness(
        tmp_path, [client], video_vendors=[emulator_spec.vendor], **overrides
    ) as harness:
        yield harness


@pytest.fixture
def core_loop(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Core, asyncio.AbstractEventLoop]]:
    """A real core on SQLite in a loop of its own (for hypothesis' synchronous tests) whose
    engine never starts jobs: intake only. Its vendors, from the `intake` mark, point at a
    closed port, so nothing can reach a vendor."""
    mark = request.node.get_closest_marker("intake")
    vendor_ids = list(mark.args) if mark else ["runway"]
    vendors = [CASES[v][1](api_key="k", base_url="http://127.0.0.1:9") for v in vendor_ids]
    loop = asyncio.new_event_loop()
    made = loop.run_until_complete(
        make_core(
            tmp_path,
            vendors=vendors,
            video_vendors=vendor_ids,
            quota_credits_per_day=100_000,
            max_jobs_per_user=100_000,
        )
    )
    made.engine.launch = lambda job_id: None  # type: ignore[method-assign]
    yield made, loop
    loop.run_until_complete(made.aclose())
    loop.close()


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """The root logger's handlers and level put back: the CLI and the runtime configure it."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def clean_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, restore_logging: None
) -> Iterator[None]:
    """No developer .env or environment leaks in: the working folder is `tmp_path`, no setting
    comes from the environment but DATABASE_URL, a file there."""
    monkeypatch.chdir(tmp_path)
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'videobot.db'}")
    yield
