"""Series read from the running core when Prometheus scrapes: the jobs waiting in the bot's
queue, each vendor's balance at the last balance check, and the prompts PROMPT_BLOCKLIST
refused (a count only: no prompt or matched word is ever a label)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.bootstrap import Core


class CoreState(Collector):
    """videobot_jobs_queued, videobot_vendor_balance{vendor}, videobot_prompts_blocked_total."""

    def __init__(self) -> None:
        self.core: Core | None = None  # set once the ops server follows a core

    def collect(self) -> Iterator[Metric]:
        core = self.core
        queued = GaugeMetricFamily(
            "videobot_jobs_queued", "Jobs of this process waiting in the queue for a vendor slot"
        )
        queued.add_metric([], float(core.engine.queued) if core else 0.0)
        yield queued
        balance = GaugeMetricFamily(
            "videobot_vendor_balance",
            "Each vendor's balance at the last check (every 10 minutes), in its own unit",
            labels=["vendor"],
        )
        readings = core.balance_watch().readings if core else {}
        for vendor, credits in sorted(readings.items()):
            balance.add_metric([vendor], credits)
        yield balance
        blocked = CounterMetricFamily(
            "videobot_prompts_blocked", "Prompts refused by PROMPT_BLOCKLIST (no text is kept)"
        )
        blocked.add_metric([], float(core.service.screen.refused) if core else 0.0)
        yield blocked
