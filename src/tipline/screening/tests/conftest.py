"""Screening fixtures: invented recruitment reports built through the real services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tipline.conftest import draft
from tipline.pipeline.services import pipeline_run
from tipline.reports.drafts import IncidentDraft
from tipline.reports.models import Report
from tipline.reports.services import report_submit

OFFER = (
    "A woman offered my sister a free visa and ticket to work as a housemaid in Saudi Arabia. "
    "The sponsor will pay for the flight and she will pay back from her salary. They asked her "
    "to send her passport and to swear an oath at a shrine before she travels."
)


@pytest.fixture
def make_report(geo: Any) -> Callable[..., Report]:
    """A submitted and processed report with `description` (in Lagos; the default victim's
    phone, so two such reports share it)."""

    def make(description: str = OFFER, state: str = "LA", **overrides: Any) -> Report:
        incident = IncidentDraft(
            type="deceptive_recruitment", description=description, state_code=state
        )
        result = report_submit(draft=draft(incident=incident, **overrides))
        pipeline_run(report_id=result.report.pk)
        return Report.objects.get(pk=result.report.pk)

    return make
