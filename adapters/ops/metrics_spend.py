"""videobot_vendor_spend_usd_total{vendor,model}: the money settled jobs cost the operator,
read from the store when Prometheus scrapes (with the ledger's totals), so it survives
restarts and matches `videobot spend` and `/stats`."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.storage.base import SpendLine, Store


class SpendCollector(Collector):
    """The spend per vendor and model the last scrape read."""

    def __init__(self) -> None:
        self.lines: list[SpendLine] = []

    async def read(self, store: Store) -> None:
        self.lines = await store.spend(0.0, ("vendor", "model"))

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(
            "videobot_vendor_spend_usd",
            "Money (USD) the settled jobs cost the operator, by vendor and model",
            labels=["vendor", "model"],
        )
        for line in self.lines:
            family.add_metric(list(line.group), line.usd)
        yield family
