"""Two workers, each with its own database connection, never process one report at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.db import connection, connections

from tipline.conftest import draft
from tipline.pipeline import steps
from tipline.pipeline.models import StepRun
from tipline.pipeline.services import pipeline_run
from tipline.reports.choices import ReportStatus
from tipline.reports.models import Report
from tipline.reports.services import report_submit

REPORTS = 12


class _Watch:
    """Records, per report, whether a step ever ran while another was already running it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight: set[int] = set()
        self.overlaps: list[int] = []
        self.calls = 0

    def wrap(self, fn: Callable[[Report], None]) -> Callable[[Report], None]:
        def watched(report: Report) -> None:
            with self.lock:
                if report.pk in self.in_flight:
                    self.overlaps.append(report.pk)
                self.in_flight.add(report.pk)
                self.calls += 1
            try:
                time.sleep(0.005)  # widen the window in which a second worker could step in
                fn(report)
            finally:
                with self.lock:
                    self.in_flight.discard(report.pk)

        return watched


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs real concurrent connections (CI runs PG too)"
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_process_the_same_report_at_once(geo: Any) -> None:
    ids = [report_submit(draft=draft()).report.pk for _ in range(REPORTS)]
    watch = _Watch()
    watched = [(name, watch.wrap(fn)) for name, fn in steps.STEPS]
    errors: list[BaseException] = []

    def worker(order: list[int]) -> None:
        try:
            for _round in range(3):  # a busy report is retried, as the task would be
                for report_id in order:
                    pipeline_run(report_id=report_id)
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connections.close_all()

    with mock.patch("tipline.pipeline.services.STEPS", watched):
        threads = [
            threading.Thread(target=worker, args=(ids,)),
            threading.Thread(target=worker, args=(ids,)),  # same order: they contend on each
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert not errors
    assert watch.overlaps == []
    assert watch.calls == REPORTS * len(steps.STEPS)  # every step ran exactly once per report
    assert StepRun.objects.filter(report_id__in=ids).count() == REPORTS * len(steps.STEPS)
    assert set(StepRun.objects.values_list("attempts", flat=True)) == {1}
    statuses = set(Report.objects.filter(pk__in=ids).values_list("status", flat=True))
    assert statuses == {ReportStatus.AWAITING_TRIAGE}
