"""Prometheus metrics plus liveness and readiness endpoints, served on METRICS_PORT.

    GET /metrics   the series below, Prometheus text format
    GET /healthz   liveness: 200 while the process and its event loop answer
    GET /readyz    readiness: 200 once the bot is serving and its database answers (and is
                   still the file at DATABASE_URL, not one deleted under it), else 503

Where each series comes from:

- job outcomes, jobs in flight and delivery lag: the engine (`engine.observe` gets every
  JobEvent; `engine.in_flight` counts the job tasks of this process);
- vendor submit and poll latency: `Metrics.instrument` wraps each vendor client in a
  `TimedClient` (adapters/ops/timing.py), which the engine is then given;
- credits: the ledger's running totals (Store.credit_totals, kept in the ledger row's own
  transaction), read when Prometheus scrapes, so they match `videobot export-ledger`, survive
  restarts and include refunds made with the admin CLI; scrapes in flight share one read;
- vendor spend in money: each settled job's, summed by the store in the same read;
- jobs waiting in the queue, the vendors' last balances and the prompts PROMPT_BLOCKLIST
  refused: read from the core at each scrape (adapters/ops/metrics_state.py);
- adapter errors: a logging handler counting ERROR records of the chat adapters and of the
  platform libraries they drive (`telegram.*`, `discord.*`, `adapters.<name>.*`).

Every series carries `process="<VIDEOBOT_PROCESS_ID>"` (metrics_process.py). The ledger and
spend series are the database's totals, the same in every process: take one process's (`max
without (process)`), not their sum.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector

from adapters.ops.metrics_process import default_process_id, exported
from adapters.ops.metrics_spend import SpendCollector
from adapters.ops.metrics_state import CoreState
from adapters.ops.timing import TimedClient
from bot import __version__
from bot.bootstrap import ConfigError, Core
from bot.events import EventKind, JobEvent
from bot.storage.base import Store
from bot.vendors.base import VendorClient

log = logging.getLogger("videobot.metrics")

# Ledger kind -> the `kind` label of videobot_credits_total.
CREDIT_KINDS = {"reserve": "reserved", "charge": "spent", "refund": "refunded"}
# Logger name components that belong to a chat adapter (its module or its platform library).
ADAPTER_NAMES = ("telegram", "discord", "console")

SUBMIT_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
POLL_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
LAG_BUCKETS = (0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)


def adapter_of(logger_name: str) -> str | None:
    """The chat adapter a logger belongs to: `telegram.ext.Updater` -> telegram, etc."""
    parts = logger_name.split(".")
    if parts[0] in ADAPTER_NAMES:
        return parts[0]
    if len(parts) > 1 and parts[0] in ("adapters", "videobot") and parts[1] in ADAPTER_NAMES:
        return parts[1]
    return None


class LedgerCollector(Collector):
    """videobot_credits_total{kind}, from the totals the last scrape read from the ledger."""

    def __init__(self) -> None:
        self.totals: dict[str, int] = {}

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(
            "videobot_credits",
            "Credits moved through the ledger: reserved for jobs, spent on delivered "
            "videos, refunded for failed or cancelled ones",
            labels=["kind"],
        )
        for kind, label in CREDIT_KINDS.items():
            family.add_metric([label], float(self.totals.get(kind, 0)))
        yield family


class AdapterErrorCounter(logging.Handler):
    """Counts ERROR (and worse) log records of the chat adapters, per adapter."""

    def __init__(self, counter: Counter) -> None:
        super().__init__(logging.ERROR)
        self.counter = counter

    def emit(self, record: logging.LogRecord) -> None:
        adapter = adapter_of(record.name)
        if adapter is not None:
            self.counter.labels(adapter).inc()


class Metrics:
    """Every series of one bot process, in a registry of its own."""

    def __init__(
        self, registry: CollectorRegistry | None = None, *, process: str | None = None
    ) -> None:
        self.registry = registry or CollectorRegistry()
        self.process = process or default_process_id()
        self._exported = exported(self.registry, self.process)
        r = self.registry
        self.jobs = Counter(
            "videobot_jobs",
            "Jobs that reached a final status (delivered, failed, cancelled), by vendor",
            ["vendor", "status"],
            registry=r,
        )
        self.failures = Counter(
            "videobot_job_failures",
            "Failed or cancelled jobs by vendor and reason (timeout, moderated, delivery, ...)",
            ["vendor", "reason"],
            registry=r,
        )
        self.in_flight = Gauge(
            "videobot_jobs_in_flight", "Jobs this process is working on right now", registry=r
        )
        self.submit_seconds = Histogram(
            "videobot_vendor_submit_seconds",
            "Time a vendor took to answer a create call, by outcome (ok or error code)",
            ["vendor", "outcome"],
            buckets=SUBMIT_BUCKETS,
            registry=r,
        )
        self.poll_seconds = Histogram(
            "videobot_vendor_poll_seconds",
            "Time a vendor took to answer a status poll, by outcome (ok or error code)",
            ["vendor", "outcome"],
            buckets=POLL_BUCKETS,
            registry=r,
        )
        self.delivery_lag = Histogram(
            "videobot_delivery_lag_seconds",
            "From the first poll that saw the vendor task succeed to the video delivered "
            "in the chat (download plus upload)",
            ["vendor"],
            buckets=LAG_BUCKETS,
            registry=r,
        )
        self.adapter_errors = Counter(
            "videobot_adapter_errors",
            "Errors logged by a chat adapter or its platform library",
            ["adapter"],
            registry=r,
        )
        info = Gauge("videobot_build_info", "The running version", ["version"], registry=r)
        info.labels(__version__).set(1)
        self.ledger = LedgerCollector()
        r.register(self.ledger)
        self.spend = SpendCollector()
        r.register(self.spend)
        self.state = CoreState()
        r.register(self.state)
        self.log_handler = AdapterErrorCounter(self.adapter_errors)
        self._completed: dict[tuple[str, str], float] = {}  # (vendor, task) -> monotonic
        self._reading: asyncio.Future[None] | None = None  # the ledger read scrapes share

    # sources

    def instrument(self, vendors: list[VendorClient]) -> list[VendorClient]:
        """These clients, each wrapped to time its submits and polls: hand the engine these."""
        return [
            TimedClient(
                vendor,
                submit_seconds=self.submit_seconds,
                poll_seconds=self.poll_seconds,
                on_succeeded=self._succeeded,
            )
            for vendor in vendors
        ]

    def _succeeded(self, vendor_id: str, task_id: str) -> None:
        self._completed.setdefault((vendor_id, task_id), time.monotonic())

    def observe(self, event: JobEvent) -> None:
        """The engine's event observer: final statuses and delivery lag."""
        if event.kind not in (EventKind.FINISHED, EventKind.FAILED):
            return
        job = event.job
        vendor = job.vendor or "none"
        self.jobs.labels(vendor, job.state.value).inc()
        done = self._completed.pop((vendor, job.vendor_task_id or ""), None)
        if event.kind is EventKind.FINISHED:
            if done is not None:
                self.delivery_lag.labels(vendor).observe(time.monotonic() - done)
        else:
            self.failures.labels(vendor, job.error_code or "unknown").inc()

    def attach(self, core: Core) -> None:
        """Follow this core's engine; count adapter errors from the logs."""
        core.engine.observe(self.observe)
        self.state.core = core
        engine = core.engine
        self.in_flight.set_function(lambda: float(engine.in_flight))
        logging.getLogger().addHandler(self.log_handler)

    def detach(self) -> None:
        logging.getLogger().removeHandler(self.log_handler)

    async def refresh_ledger(self, store: Store) -> None:
        """Read the credit totals once for every scrape in flight: twenty scrapers at once
        cost the store one read, not twenty."""
        if self._reading is None:
            self._reading = asyncio.ensure_future(self._read_ledger(store))
            self._reading.add_done_callback(self._read_done)
        await asyncio.shield(self._reading)  # a scraper that hangs up stops no one else

    def _read_done(self, reading: asyncio.Future[None]) -> None:
        if self._reading is reading:
            self._reading = None

    async def _read_ledger(self, store: Store) -> None:
        try:
            self.ledger.totals = await store.credit_totals()
            await self.spend.read(store)
        except Exception as exc:  # keep the last totals; the scrape still answers
            log.warning("metrics: cannot read the ledger: %s", exc)

    def render(self) -> bytes:
        return generate_latest(self._exported)


class OpsServer:
    """The HTTP server for /metrics, /healthz and /readyz."""

    def __init__(self, host: str, port: int, metrics: Metrics | None = None) -> None:
        self.host = host
        self.port = port
        self.metrics = metrics or Metrics()
        self.ready = False  # set by the runtime once adapters and engine are serving
        self._core: Core | None = None
        self._runner: web.AppRunner | None = None

    async def start(self, core: Core) -> None:
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        runner = web.AppRunner(app, access_log=None)  # no log line per scrape
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError as exc:
            await runner.cleanup()
            raise ConfigError(
                f"METRICS_PORT={self.port}: cannot listen on {self.host}: {exc.strerror or exc}"
            ) from None
        self._runner, self._core = runner, core
        self.port = int(runner.addresses[0][1])
        self.metrics.attach(core)
        log.info("metrics and health checks on http://%s:%d/metrics", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            self.metrics.detach()
            await self._runner.cleanup()
            self._runner = None

    async def _metrics(self, request: web.Request) -> web.Response:
        if self._core is not None:
            await self.metrics.refresh_ledger(self._core.store)
        return web.Response(
            body=self.metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def _readyz(self, request: web.Request) -> web.Response:
        if not self.ready or self._core is None:
            return web.Response(status=503, text="starting\n")
        problem = self._core.store.unavailable()
        if problem is not None:
            return web.Response(status=503, text=f"database unavailable: {problem}\n")
        try:
            await asyncio.wait_for(self._core.store.get_job("0"), timeout=5.0)
        except Exception as exc:
            return web.Response(status=503, text=f"database unavailable: {type(exc).__name__}\n")
        return web.Response(text="ready\n")
