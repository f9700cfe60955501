"""Reports for search tests: submitted, processed and indexed the way the pipeline will."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tipline.conftest import draft
from tipline.geo.models import RegionalCommand
from tipline.pipeline.services import pipeline_run
from tipline.reports.choices import PersonRole
from tipline.reports.drafts import IncidentDraft, PersonDraft, Phone
from tipline.reports.models import Report
from tipline.reports.services import report_submit
from tipline.search.services import search_index_report

Submit = Callable[..., Report]


def submit_report(
    description: str = "Invented report.",
    state: str = "LA",
    phone: str | None = None,
    **overrides: Any,
) -> Report:
    """Submit, process (routes it by `state`) and index one invented report."""
    incident = IncidentDraft(
        type=overrides.pop("type", "online_enticement"),
        description=description,
        state_code=state,
        **overrides.pop("incident", {}),
    )
    if phone:
        overrides["people"] = [PersonDraft(role=PersonRole.VICTIM, phones=[Phone(number=phone)])]
    overrides.setdefault("people", [])
    made = report_submit(draft=draft(incident=incident, **overrides))
    pipeline_run(report_id=made.report.pk)
    search_index_report(report_id=made.report.pk)
    return Report.objects.get(pk=made.report.pk)


@pytest.fixture
def submit(geo: dict[str, RegionalCommand]) -> Submit:
    """`submit_report`, with the commands and states seeded."""
    return submit_report
