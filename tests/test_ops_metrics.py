"""The metrics endpoint after real jobs ran through the core against the Runway emulator, the
health endpoints, and the runtime starting it all when METRICS_PORT is set."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from adapters import runtime
from adapters.ops.metrics import Metrics, OpsServer, adapter_of
from adapters.ops.metrics_process import default_process_id
from adapters.ops.timing import TimedClient
from bot.bootstrap import ConfigError, Core
from bot.commands import read
from bot.models import JobState, UserRef
from bot.service import Incoming
from bot.storage.migrations import MIGRATIONS
from bot.storage.sqlite import SqliteStore
from bot.vendors.runway import RunwayClient
from tests.emulators.base import Fault
from tests.emulators.runway import RunwayEmulator
from tests.helpers import RecordingSink, make_core, settings_for, wait_until
from tests.ledger_rows import bulk_ledger

pytestmark = pytest.mark.emulator(run_seconds=0.1)

USER = UserRef("test", "1")


def samples(
    text: str, process: str | None = None
) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """(sample name, labels but `process`) -> value, from the Prometheus text format; every
    sample must carry process=`process` (this test process's host:pid by default)."""
    process = process or default_process_id()
    found = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            labels = dict(s.labels)
            assert labels.pop("process", None) == process, s
            found[(s.name, frozenset(labels.items()))] = s.value
    return found


def value(
    found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
async def observed(tmp_path: Path, emu: RunwayEmulator) -> AsyncIterator[tuple[Core, OpsServer]]:
    """A core whose vendor is instrumented, with the ops server on a free port."""
    ops = OpsServer("127.0.0.1", 0)
    [client] = ops.metrics.instrument([RunwayClient(api_key="test-key", base_url=emu.base_url)])
    core = await make_core(tmp_path, vendors=[client], video_vendors=["runway"])
    await ops.start(core)
    try:
        yield core, ops
    finally:
        await ops.stop()
        await core.aclose()


async def get(ops: OpsServer, path: str) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.get(f"http://127.0.0.1:{ops.port}{path}")


async def run_job(core: Core, text: str) -> str:
    reply = await core.service.handle(Incoming(user=USER, command=read(text)))
    assert reply.job is not None, reply.text
    job_id = reply.job.id

    async def settled() -> bool:
        job = await core.store.get_job(job_id)
        return job is not None and job.state.terminal

    await wait_until(settled)
    await core.engine.wait([job_id])
    return job_id


async def test_metrics_after_jobs_ran(
    observed: tuple[Core, OpsServer], emu: RunwayEmulator
) -> None:
    core, ops = observed
    sink = RecordingSink()
    core.engine.subscribe("test", sink)
    await core.start()
    ops.ready = True

    delivered = await run_job(core, "/video a lighthouse in a storm")
    emu.fail_next("poll", Fault(503, {"error": "busy"}))  # one failed poll, then fine
    failed = await run_job(core, "/video a [fail] kite")
    assert (await core.store.get_job(delivered)).state is JobState.DELIVERED  # type: ignore[union-attr]
    assert (await core.store.get_job(failed)).state is JobState.FAILED  # type: ignore[union-attr]
    logging.getLogger("telegram.ext.Updater").error("network is down")  # an adapter error
    logging.getLogger("videobot.engine").error("not an adapter")

    response = await get(ops, "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found = samples(response.text)

    assert value(found, "videobot_jobs_total", vendor="runway", status="delivered") == 1
    assert value(found, "videobot_jobs_total", vendor="runway", status="failed") == 1
    assert value(found, "videobot_job_failures_total", vendor="runway", reason="vendor_failed") == 1
    assert value(found, "videobot_jobs_in_flight") == 0
    assert value(found, "videobot_vendor_submit_seconds_count", vendor="runway", outcome="ok") == 2
    assert value(found, "videobot_vendor_poll_seconds_count", vendor="runway", outcome="ok") >= 2
    assert (
        value(found, "videobot_vendor_poll_seconds_count", vendor="runway", outcome="transient")
        == 1
    )
    assert value(found, "videobot_vendor_submit_seconds_sum", vendor="runway", outcome="ok") > 0
    assert value(found, "videobot_delivery_lag_seconds_count", vendor="runway") == 1
    assert value(found, "videobot_delivery_lag_seconds_sum", vendor="runway") > 0
    # Credits come from the ledger: two jobs of 1 credit reserved, one spent, one refunded.
    assert value(found, "videobot_credits_total", kind="reserved") == 2
    assert value(found, "videobot_credits_total", kind="spent") == 1
    assert value(found, "videobot_credits_total", kind="refunded") == 1
    assert value(found, "videobot_adapter_errors_total", adapter="telegram") == 1
    assert value(found, "videobot_build_info", version="0.1.0") == 1


async def test_jobs_in_flight_and_credits_follow_live_state(
    observed: tuple[Core, OpsServer],
) -> None:
    core, ops = observed
    core.engine.subscribe("test", RecordingSink())
    await core.start()
    reply = await core.service.handle(
        Incoming(user=USER, command=read("/video a [never] ending story"))
    )
    assert reply.job is not None

    async def in_flight() -> bool:
        found = samples((await get(ops, "/metrics")).text)
        return value(found, "videobot_jobs_in_flight") == 1

    await wait_until(in_flight)
    found = samples((await get(ops, "/metrics")).text)
    assert value(found, "videobot_credits_total", kind="reserved") == 1
    assert value(found, "videobot_credits_total", kind="spent") == 0
    await core.engine.cancel(reply.job.id)
    found = samples((await get(ops, "/metrics")).text)
    assert value(found, "videobot_jobs_total", vendor="runway", status="cancelled") == 1
    assert value(found, "videobot_credits_total", kind="refunded") == 1
    assert value(found, "videobot_jobs_in_flight") == 0


async def test_health_and_readiness(tmp_path: Path) -> None:
    core = await make_core(tmp_path)
    ops = OpsServer("127.0.0.1", 0)
    await ops.start(core)
    try:
        assert (await get(ops, "/healthz")).status_code == 200
        starting = await get(ops, "/readyz")
        assert starting.status_code == 503 and "starting" in starting.text
        ops.ready = True
        assert (await get(ops, "/readyz")).text == "ready\n"
        await core.store.close()  # the database goes away: not ready, still alive
        gone = await get(ops, "/readyz")
        assert gone.status_code == 503 and "database" in gone.text
        assert (await get(ops, "/healthz")).status_code == 200
    finally:
        await ops.stop()
        await core.aclose()


async def test_unknown_paths_are_404(tmp_path: Path) -> None:
    core = await make_core(tmp_path)
    ops = OpsServer("127.0.0.1", 0)
    await ops.start(core)
    try:
        assert (await get(ops, "/admin")).status_code == 404
    finally:
        await ops.stop()
        await core.aclose()


def test_adapter_loggers() -> None:
    assert adapter_of("telegram.ext.Updater") == "telegram"
    assert adapter_of("discord.gateway") == "discord"
    assert adapter_of("adapters.telegram.app") == "telegram"
    assert adapter_of("videobot.discord") == "discord"
    assert adapter_of("videobot.engine") is None
    assert adapter_of("httpx") is None


def test_instrumenting_wraps_a_client_and_leaves_it_untouched() -> None:
    client = RunwayClient(api_key="k", base_url="http://127.0.0.1:9")
    [timed] = Metrics().instrument([client])
    assert timed is not client and not {"submit", "poll"} & set(vars(client))
    assert (timed.id, timed.supports_cancel) == ("runway", True)
    assert timed.capabilities is RunwayClient.capabilities


def test_the_metrics_module_stays_small() -> None:
    """The ops server, its series and the vendor timing each read in one go."""
    source = Path(__file__).resolve().parent.parent / "adapters" / "ops" / "metrics.py"
    assert len(source.read_text(encoding="utf-8").splitlines()) <= 300


def test_every_series_carries_the_process_label() -> None:
    metrics = Metrics(process="host-b:42")
    metrics.adapter_errors.labels("discord").inc()
    metrics.delivery_lag.labels("runway").observe(1.0)
    metrics.ledger.totals = {"charge": 3}
    found = samples(metrics.render().decode(), "host-b:42")  # asserts the label on each
    assert value(found, "videobot_adapter_errors_total", adapter="discord") == 1
    assert value(found, "videobot_delivery_lag_seconds_bucket", vendor="runway", le="1.0") == 1
    assert value(found, "videobot_credits_total", kind="spent") == 3
    assert value(found, "videobot_build_info", version="0.1.0") == 1


def test_the_process_id_defaults_to_host_and_pid(tmp_path: Path) -> None:
    assert Metrics().process == f"{socket.gethostname()}:{os.getpid()}"
    assert Metrics(process=None).process == default_process_id()
    assert settings_for(tmp_path, videobot_process_id="bot-2").videobot_process_id == "bot-2"


def test_each_metrics_instance_has_its_own_registry() -> None:
    a, b = Metrics(), Metrics()
    a.adapter_errors.labels("console").inc()
    assert b"console" not in b.render()


class ProbeAdapter:
    """A stand-in chat adapter that scrapes the ops server once the bot is up, then ends."""

    name = "probe"

    def __init__(self, port: int) -> None:
        self.port = port
        self.done = asyncio.Event()
        self.seen: dict[str, str] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._probe())

    async def _probe(self) -> None:
        base = f"http://127.0.0.1:{self.port}"
        async with httpx.AsyncClient() as http:
            for _ in range(200):
                ready = await http.get(f"{base}/readyz")
                if ready.status_code == 200:
                    break
                await asyncio.sleep(0.02)
            self.seen["readyz"] = ready.text
            self.seen["metrics"] = (await http.get(f"{base}/metrics")).text
        self.done.set()

    async def stop(self) -> None:
        if self._task is not None:
            await self._task


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_runtime_serves_metrics_when_metrics_port_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    settings = settings_for(
        tmp_path, metrics_port=port, metrics_host="127.0.0.1", videobot_process_id="bot-a"
    )
    probe = ProbeAdapter(port)
    cores: list[Core] = []
    monkeypatch.setattr(runtime, "chat_adapters", lambda core: cores.append(core) or [probe])
    await asyncio.wait_for(runtime.serve(settings), timeout=20)
    assert probe.seen["readyz"] == "ready\n"
    assert [type(v) for v in cores[0].vendors] == [TimedClient]  # the engine's are timed
    found = samples(probe.seen["metrics"], "bot-a")  # every series labelled VIDEOBOT_PROCESS_ID
    assert value(found, "videobot_jobs_in_flight") == 0
    assert value(found, "videobot_credits_total", kind="spent") == 0
    assert re.search(
        r'^videobot_jobs_in_flight\{process="bot-a"\} 0\.0$', probe.seen["metrics"], re.M
    )
    # Stopped with the bot: the port is free again.
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as http:
            await http.get(f"http://127.0.0.1:{port}/healthz")


async def test_runtime_without_metrics_port_serves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(tmp_path)
    assert settings.metrics_port is None

    class Quick:
        name = "quick"
        done = asyncio.Event()

        async def start(self) -> None:
            self.done.set()

        async def stop(self) -> None:
            pass

    started: list[object] = []
    monkeypatch.setattr(runtime, "chat_adapters", lambda core: [Quick()])
    monkeypatch.setattr(OpsServer, "start", lambda self, core: started.append(self))
    await asyncio.wait_for(runtime.serve(settings), timeout=20)
    assert started == []


async def test_a_taken_metrics_port_is_a_config_error(tmp_path: Path) -> None:
    core = await make_core(tmp_path)
    first = OpsServer("127.0.0.1", 0)
    await first.start(core)
    try:
        second = OpsServer("127.0.0.1", first.port)
        with pytest.raises(ConfigError, match=f"METRICS_PORT={first.port}: cannot listen"):
            await second.start(core)
        await second.stop()
    finally:
        await first.stop()
        await core.aclose()


async def test_scrapes_in_flight_share_one_ledger_read(tmp_path: Path) -> None:
    store = await SqliteStore.open(tmp_path / "videobot.db")
    reads = 0
    read = store.credit_totals

    async def counted() -> dict[str, int]:  # the real read, counted
        nonlocal reads
        reads += 1
        return await read()

    store.credit_totals = counted  # type: ignore[method-assign]
    metrics = Metrics()
    try:
        await store.grant(USER, 3, now=1.0)
        await asyncio.gather(*(metrics.refresh_ledger(store) for _ in range(20)))
        assert reads == 1 and metrics.ledger.totals["grant"] == 3
        await store.grant(USER, 2, now=2.0)
        await metrics.refresh_ledger(store)  # a later scrape reads afresh
        assert reads == 2 and metrics.ledger.totals["grant"] == 5
    finally:
        await store.close()


async def test_quota_answers_while_twenty_scrapers_read_a_big_ledger(tmp_path: Path) -> None:
    """Summing half a million ledger rows takes about 0.3 s here: twenty scrapes doing it
    on the event loop would hold every user's /quota for seconds."""
    bulk_ledger(tmp_path / "videobot.db", 500_000, schema=len(MIGRATIONS))
    core = await make_core(tmp_path)
    ops = OpsServer("127.0.0.1", 0)
    await ops.start(core)
    slowest = 0.0
    try:
        async with httpx.AsyncClient(timeout=120) as http:
            url = f"http://127.0.0.1:{ops.port}"
            scrapes = asyncio.gather(*(http.get(f"{url}/metrics") for _ in range(20)))
            while not scrapes.done():  # a user asks, again and again, while they run
                start = time.monotonic()
                reply = await core.service.handle(Incoming(user=USER, command=read("/quota")))
                health = await http.get(f"{url}/healthz")
                slowest = max(slowest, time.monotonic() - start)
                assert "credit" in reply.text and health.status_code == 200
                await asyncio.sleep(0.01)
            for response in await scrapes:
                spent = value(samples(response.text), "videobot_credits_total", kind="spent")
                assert spent == 250001
        assert slowest < 2.0, f"/quota and /healthz took up to {slowest:.1f} s"
    finally:
        await ops.stop()
        await core.aclose()


async def test_the_servers_listen_on_this_host_only_by_default(tmp_path: Path) -> None:
    from adapters.callbacks import CallbackServer

    settings = settings_for(tmp_path)
    core = await make_core(tmp_path)
    ops = OpsServer(settings.metrics_host, 0)
    callbacks = CallbackServer(core.engine, settings.callback_listen.rsplit(":", 1)[0] + ":0")
    await ops.start(core)
    await callbacks.start()
    try:
        assert settings.metrics_host == "127.0.0.1"
        assert settings.callback_listen == "127.0.0.1:8090"
        assert ops._runner is not None and ops._runner.addresses[0][0] == "127.0.0.1"
        assert callbacks._runner is not None
        assert [a[0] for a in callbacks._runner.addresses] == ["127.0.0.1"]
    finally:
        await callbacks.stop()
        await ops.stop()
        await core.aclose()
