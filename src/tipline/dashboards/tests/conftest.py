"""Reports for the dashboards' tests, submitted and processed through the real services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from tipline.common.time import WAT, utcnow
from tipline.conftest import draft
from tipline.dashboards.selectors import DashboardFilters
from tipline.pipeline.services import pipeline_run
from tipline.reports.drafts import IncidentDraft
from tipline.reports.models import Report
from tipline.reports.services import report_submit


def submit(
    state: str | None = "LA",
    *,
    incident_type: str = "forced_begging",
    channel: str = "web",
    platform: str | None = None,
    received_at: datetime | None = None,
) -> Report:
    """One invented report, submitted and run through the pipeline (so located and routed)."""
    incident = IncidentDraft(
        type=incident_type,
        description="An invented incident for the dashboards' tests.",
        state_code=state,
        platform=platform,
    )
    values: dict[str, Any] = {"incident": incident, "channel": channel}
    if received_at is not None:
        values["received_at"] = received_at
    result = report_submit(draft=draft(**values))
    pipeline_run(report_id=result.report.pk)
    return Report.objects.get(pk=result.report.pk)


def today() -> date:
    return utcnow().astimezone(WAT).date()


@pytest.fixture
def report_in(geo: Any) -> Callable[..., Report]:
    """`report_in("KN", incident_type=..., platform=...)`: a processed report in that state."""
    return submit


@pytest.fixture
def last_30_days() -> DashboardFilters:
    return DashboardFilters(start=today() - timedelta(days=29), end=today())
