"""The `process` label on every series, so several bot processes behind one database can be
scraped side by side and summed (`sum without (process) (...)`).

Why a wrapping collector rather than a label on each metric: every series, including the
ones read from the store and the ones added later, gets it in one place, and no call site
has to pass it.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import Metric
from prometheus_client.registry import Collector

PROCESS_LABEL = "process"


def default_process_id() -> str:
    """host:pid, unique among the processes sharing a database at any one time."""
    return f"{socket.gethostname()}:{os.getpid()}"


class ProcessLabelled(Collector):
    """The series of `inner`, each with process="<id>" added."""

    def __init__(self, inner: CollectorRegistry, process: str) -> None:
        self.inner = inner
        self.process = process

    def collect(self) -> Iterator[Metric]:
        for family in self.inner.collect():
            labelled = Metric(family.name, family.documentation, family.type, family.unit)
            labelled.samples = [
                s._replace(labels={**s.labels, PROCESS_LABEL: self.process}) for s in family.samples
            ]
            yield labelled


def exported(inner: CollectorRegistry, process: str) -> CollectorRegistry:
    """The registry a scrape renders: `inner`'s series with the process label."""
    outer = CollectorRegistry(auto_describe=False)
    outer.register(ProcessLabelled(inner, process))
    return outer
