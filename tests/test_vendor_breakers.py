"""The vendors' breakers in the store: a vendor held for want of credits stays held over a
restart until the operator runs `videobot vendor-reset`, and bots sharing one database
(SQLite file or PostgreSQL) skip the same vendors. Real emulators over HTTP (Runway
official, then gpt.ge), the CLI through `adapters.cli.main` on the same database."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.cli import main
from bot.bootstrap import Core
from bot.jobs.vendor_health import sync_breakers
from bot.storage import Store
from bot.storage.breaker_types import BreakerState
from bot.vendors.base import VendorClient
from bot.vendors.runway import GptgeClient, RunwayClient
from tests.emulators.base import Fault
from tests.emulators.runway import RunwayEmulator
from tests.helpers import make_core
from tests.postgres import BACKENDS
from tests.test_routing import ADMIN, AdminSink, creates, deliver

Tier = dict[str, dict[str, int]]
NO_CREDITS = Fault(status=400, body={"error": "You do not have enough credits to run this task."})


@BACKENDS
async def test_a_hold_is_stored_once_and_lifted_by_the_operator(store: Store) -> None:
    assert await store.breaker_states() == []
    assert await store.hold_vendor("runway", "out of credits", 10.0)  # the one to tell
    assert not await store.hold_vendor("runway", "out of credits", 11.0)  # told already
    await store.set_breaker_open("gptge", 200.0, 12.0)
    await store.set_breaker_open("gptge", 0.0, 5.0)  # an older close, written late: ignored
    assert await store.breaker_states() == [
        BreakerState("gptge", 200.0, None, 12.0),
        BreakerState("runway", 0.0, "out of credits", 10.0),
    ]
    assert await store.release_vendor("runway", 20.0)
    assert await store.release_vendor("gptge", 20.0)
    assert not await store.release_vendor("runway", 21.0)  # nothing left to lift
    assert not await store.release_vendor("apiframe", 21.0)
    assert await store.breaker_states() == [
        BreakerState("gptge", 0.0, None, 20.0),
        BreakerState("runway", 0.0, None, 20.0),
    ]
    assert await store.hold_vendor("runway", "its API key was refused", 30.0)  # held anew


@contextlib.asynccontextmanager
async def bots(
    tmp_path: Path, database_url: str, count: int, tier: Tier | None = None, **kw: object
) -> AsyncIterator[tuple[list[Core], list[AdminSink], RunwayEmulator, RunwayEmulator]]:
    """`count` bots on one database, each with its own clients of the same two vendors
    (Runway's organization reporting `tier` per model)."""
    first = RunwayEmulator("test-key", run_seconds=0.2)
    second = RunwayEmulator("test-key", flavour="gptge", run_seconds=0.2)
    first.tier_models = tier or {}
    async with first, second:
        cores: list[Core] = []
        sinks: list[AdminSink] = []
        try:
            for n in range(count):
                vendors: list[VendorClient] = [
                    RunwayClient(api_key="test-key", base_url=first.base_url),
                    GptgeClient(api_key="test-key", base_url=second.base_url),
                ]
                core = await make_core(
                    tmp_path / f"bot{n}", vendors=vendors, video_vendors=["runway", "gptge"],
                    admin_user_ids=["test:99"], max_jobs_per_user=10,
                    database_url=database_url, data_dir=tmp_path / f"bot{n}", **kw,
                )  # fmt: skip
                core.engine.backoff = lambda attempt, base=2.0: 0.01  # type: ignore[method-assign]
                sinks.append(AdminSink())
                core.engine.subscribe("test", sinks[-1])
                cores.append(core)
                await core.start()
            yield cores, sinks, first, second
        finally:
            for core in cores:
                await core.aclose()


async def reset(monkeypatch: pytest.MonkeyPatch, database_url: str, *argv: str) -> int:
    monkeypatch.setenv("DATABASE_URL", database_url)
    return await asyncio.to_thread(main, list(argv))


@pytest.mark.usefixtures("clean_env")
async def test_a_held_vendor_stays_held_over_a_restart_until_the_operator_resets_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'videobot.db'}"
    async with bots(tmp_path, url, 1) as ([core], [sink], runway, _):
        runway.fail_next("create", NO_CREDITS, times=1)
        assert await deliver(core, "/video one") == "gptge"
        assert core.engine.breakers.state("runway") == "held"
        assert [u for u, _ in sink.told] == [ADMIN]
    async with bots(tmp_path, url, 1) as ([core], [sink], runway, _):  # the restart
        assert core.engine.breakers.state("runway") == "held"
        assert await deliver(core, "/video two") == "gptge"
        assert creates(runway) == 0 and sink.told == []  # not asked, admins not told again

        assert await reset(monkeypatch, url, "vendors") == 0
        assert "runway  held: out of credits" in capsys.readouterr().out
        assert await reset(monkeypatch, url, "vendor-reset", "runway") == 0
        assert "runway: breaker closed and hold lifted" in capsys.readouterr().out
        await sync_breakers(core.engine)  # what the bot's watcher does every few seconds
        assert core.engine.breakers.state("runway") == "closed"
        assert await deliver(core, "/video three") == "runway"
        assert await reset(monkeypatch, url, "vendor-reset", "runway") == 0
        assert "neither held nor open" in capsys.readouterr().out
        [entry] = await core.store.audit_log(0.0)  # the reset that did something, once
        assert (entry.action, entry.target, entry.after) == ("vendor_reset", "runway", "closed")
        assert entry.before == "held: out of credits" and entry.source == "cli"


@BACKENDS
async def test_bots_sharing_a_database_skip_the_same_vendors(
    tmp_path: Path, database_url: str
) -> None:
    async with bots(tmp_path, database_url, 2, video_breaker_cooldown=3600) as (
        [one, two], sinks, runway, gptge,
    ):  # fmt: skip
        runway.fail_next("create", Fault(status=503), times=5)
        assert await deliver(one, "/video one") == "gptge"  # three failed tries
        assert await deliver(one, "/video two") == "gptge"  # two more open the breaker
        assert one.engine.breakers.state("runway") == "open"
        assert two.engine.breakers.state("runway") == "closed"
        await sync_breakers(one.engine)
        await sync_breakers(two.engine)
        assert two.engine.breakers.state("runway") == "open"
        assert await deliver(two, "/video three") == "gptge"
        assert creates(runway) == 5

        await one.store.release_vendor("runway", time.time())  # as `vendor-reset` does
        runway.fail_next("create", NO_CREDITS, times=1)
        await sync_breakers(two.engine)
        assert await deliver(two, "/video four") == "gptge"  # refused: held by the second
        await sync_breakers(two.engine)
        await sync_breakers(one.engine)
        assert one.engine.breakers.state("runway") == "held"
        assert await deliver(one, "/video five") == "gptge"
        assert creates(runway) == 6 and creates(gptge) == 5
        assert [len(s.told) for s in sinks] == [0, 1]  # the admins heard it once
