"""Reads for operators: the pipeline's backlog and failing steps, from the tables themselves.

Workers run on any machine and answer no HTTP, so what they do is read from the database that
every process shares: the same figures whichever web process is scraped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count

from tipline.common.time import utcnow
from tipline.pipeline.choices import StepStatus
from tipline.pipeline.models import StepRun
from tipline.reports.choices import ReportStatus
from tipline.reports.models import Report


@dataclass(frozen=True)
class Backlog:
    """Reports waiting for the pipeline, and how long the oldest has waited (0 when none)."""

    waiting: int
    lag_seconds: float


def pipeline_backlog(*, now: datetime | None = None) -> Backlog:
    """Two index reads on the pipeline's own partial index (`report_pipeline_due`)."""
    due = Report.objects.filter(
        status__in=[ReportStatus.RECEIVED, ReportStatus.PROCESSING], needs_attention=False
    )
    oldest = due.order_by("id").values_list("created_at", flat=True).first()
    lag = ((now or utcnow()) - oldest).total_seconds() if oldest else 0.0
    return Backlog(waiting=due.count(), lag_seconds=max(lag, 0.0))


def pipeline_failing_steps() -> dict[tuple[str, str], int]:
    """{(step, state): count} of step runs failed and awaiting a retry, or given up on."""
    states = [StepStatus.FAILED, StepStatus.NEEDS_ATTENTION]
    rows = (
        StepRun.objects.filter(status__in=states)
        .order_by()
        .values_list("step", "status")
        .annotate(n=Count("id"))
    )
    return {(step, status): n for step, status, n in rows}
