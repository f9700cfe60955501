"""The platform's figures for Prometheus: what the database says at the scrape, and this host's
counters (`tipline.common.metrics`).

No label carries personal data: steps, states, hash kinds, route names and status codes only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from tipline.media.index import index_status
from tipline.media.published import index_home
from tipline.media.storage import StorageError
from tipline.ops.selectors import pipeline_backlog, pipeline_failing_steps


def _version_number(name: str) -> int:
    return int(name[1:]) if name[1:].isdigit() else 0


class PlatformCollector(Collector):
    """Gauges read when Prometheus scrapes: the pipeline's backlog and failures, the index."""

    def collect(self) -> Iterator[Metric]:
        backlog = pipeline_backlog()
        yield GaugeMetricFamily(
            "tipline_pipeline_lag_seconds",
            "Age of the oldest report the pipeline has not finished (0 when none waits).",
            value=backlog.lag_seconds,
        )
        yield GaugeMetricFamily(
            "tipline_pipeline_reports_waiting", "Reports waiting for the pipeline.", backlog.waiting
        )
        failing = GaugeMetricFamily(
            "tipline_pipeline_steps_failed",
            "Step runs failed and awaiting a retry (failed) or given up on (needs_attention).",
            labels=["step", "state"],
        )
        for (step, state), count in sorted(pipeline_failing_steps().items()):
            failing.add_metric([step, state], count)
        yield failing
        yield from self._index()

    def _index(self) -> Iterator[Metric]:
        status = index_status()
        try:
            published = index_home().current() or ""
        except (StorageError, OSError):
            published = ""
        yield GaugeMetricFamily(
            "tipline_matcher_index_version",
            "Matcher index version this process uses (0: none published yet).",
            value=_version_number(status.published),
        )
        yield GaugeMetricFamily(
            "tipline_matcher_index_published_version",
            "Newest matcher index version published (0: none, or the store cannot be read).",
            value=_version_number(published),
        )
        hashes = GaugeMetricFamily(
            "tipline_matcher_index_hashes", "Hashes in this process's index.", labels=["kind"]
        )
        for kind, count in sorted(status.hashes.items()):
            hashes.add_metric([kind], count)
        yield hashes


def exposition() -> bytes:
    """Every metric in the Prometheus text format: the counters of every web process on this
    host (multiprocess mode) or of this one, then the platform's gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        counters = CollectorRegistry()
        MultiProcessCollector(counters)  # type: ignore[no-untyped-call]  # untyped in 0.26
    else:
        counters = REGISTRY
    platform = CollectorRegistry()
    platform.register(PlatformCollector())
    return generate_latest(counters) + generate_latest(platform)
