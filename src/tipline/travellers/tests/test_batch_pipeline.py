"""The pipeline's batch path raises a report about a notice's subject, as the one-report path does:
the priority step reads the likely notices of the whole batch in one query."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from tipline.common.time import utcnow
from tipline.conftest import draft
from tipline.pipeline.services import pipeline_process_due
from tipline.reports.drafts import IncidentDraft, PersonDraft
from tipline.reports.models import Report
from tipline.reports.services import report_submit
from tipline.travellers.models import Notice

pytestmark = pytest.mark.django_db


def _submit(description: str, notes: str) -> Report:
    incident = IncidentDraft(type="child_sex_tourism", description=description, state_code="LA")
    people = [PersonDraft(role="reported_person", notes=notes)]
    return report_submit(draft=draft(incident=incident, people=people)).report


def test_a_batch_raises_only_the_report_about_the_subject(
    make_notice: Callable[..., Notice],
) -> None:
    notice = make_notice(arrival=(utcnow() - timedelta(days=2)).isoformat())
    about = _submit(
        "A British man called Mike, about 55, brings young girls to the Invented Palm Hotel.",
        "British man called Mike",
    )
    other = _submit("Someone asks children for pictures online.", "unknown account")
    outcomes = pipeline_process_due(size=50)
    assert set(outcomes) == {about.pk, other.pk}
    about.refresh_from_db()
    other.refresh_from_db()
    assert about.priority == "P1"
    assert any(notice.reference in reason for reason in about.priority_reasons)
    assert not any(notice.reference in reason for reason in other.priority_reasons)
