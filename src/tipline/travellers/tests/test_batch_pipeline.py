"""The pipeline's batch path raises a report about a notice's subject, as the one-report path does:
the priority step reads the likely notices of the whole batch in one query."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from tipline.accounts.models import User
from tipline.common.time import utcnow
from tipline.conftest import draft
from tipline.geo.models import State
from tipline.pipeline.services import pipeline_process_due
from tipline.reports.drafts import IncidentDraft, PersonDraft
from tipline.reports.models import Report
from tipline.reports.services import report_submit
from tipline.travellers.choices import PlaceKind
from tipline.travellers.models import Notice, PlaceLink
from tipline.travellers.places import place_create

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


def test_a_batch_links_only_the_report_naming_a_place(lagos_analyst: User, geo: Any) -> None:
    place = place_create(
        name="Invented Eko Palm Hotels and Suites",
        kind=PlaceKind.HOTEL,
        state=State.objects.get(code="LA"),
        aliases=["Palm Suites VI"],
        actor=lagos_analyst,
    )
    naming = _submit("A man takes girls to Palm Suites VI every night.", "a man")
    other = _submit("Someone asks children for pictures online.", "unknown account")
    assert set(pipeline_process_due(size=50)) == {naming.pk, other.pk}
    link = PlaceLink.objects.get(place=place)
    assert link.report_id == naming.pk and link.named_as == "Palm Suites VI"
