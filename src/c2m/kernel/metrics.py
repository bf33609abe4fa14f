"""Prometheus metrics: what operators scrape from ``/metrics`` (docs/operations.md lists them).

Events a process counts as they happen (ingested messages, plans, dispatches) live in
prometheus-client's process-wide registry, beside its process and garbage-collector metrics.
What is a fact in the database or in a platform's memory (orders by state, outbox lag, live
subscribers) is read at scrape time by :class:`Sampled` collectors, registered per platform in
:class:`Metrics`, so a process never reports a stale count and several platforms in one process
(the tests) do not mix.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.metrics_core import Metric

log = logging.getLogger(__name__)
__all__ = [
    "CONTENT_TYPE",
    "DISPATCH_SECONDS",
    "INGEST_DROPPED",
    "INGEST_RECEIVED",
    "LEADER_EPOCH",
    "PLAN_SECONDS",
    "Metric",
    "Metrics",
    "Sampled",
    "gauge",
    "labelled_gauge",
]
CONTENT_TYPE = CONTENT_TYPE_LATEST

INGEST_RECEIVED = Counter(
    "c2m_ingest_messages_received", "Machine messages the MQTT ingest applied or dropped."
)
INGEST_DROPPED = Counter(
    "c2m_ingest_messages_dropped",
    "Machine messages the ingest dropped, by reason (malformed, unknown machine, ...).",
    ["reason"],
)
PLAN_SECONDS = Histogram(
    "c2m_plan_duration_seconds",
    "Wall time of one (re-)plan of a factory: snapshot, solve, write.",
    ["factory"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30, 60),
)
DISPATCH_SECONDS = Histogram(
    "c2m_dispatch_latency_seconds",
    "From the start of a dispatch round to the broker's acknowledgement of each command it "
    "sent: the fenced write of the attempt plus the QoS 1 publish.",
    ["factory"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
LEADER_EPOCH = Gauge(
    "c2m_leader_epoch",
    "The fencing epoch of each factory this worker leads (absent: led elsewhere).",
    ["factory"],
)


class Sampled:
    """A collector that asks ``sample`` at scrape time; a failed sample is logged and left out
    (a scrape while the database is away still returns everything else)."""

    def __init__(self, sample: Callable[[], Iterable[Metric]]) -> None:
        self.sample = sample

    def collect(self) -> Iterator[Metric]:
        try:
            metrics = list(self.sample())
        except Exception as exc:
            log.warning("a metric could not be sampled: %s", exc)
            return
        yield from metrics


def gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def labelled_gauge(
    name: str, documentation: str, label: str, values: Mapping[str, float]
) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for key, value in values.items():
        family.add_metric([key], value)
    return family


class _ProcessWide:
    """prometheus-client's default registry (process, GC and the counters above), inside a
    platform's registry."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


class Metrics:
    """The registry one platform serves at ``/metrics``."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(_ProcessWide())

    def add(self, sample: Callable[[], Iterable[Metric]]) -> None:
        self.registry.register(Sampled(sample))

    def exposition(self) -> bytes:
        """The Prometheus text format."""
        return generate_latest(self.registry)
