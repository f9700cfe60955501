"""The pipeline's batch path matches a batch of reports against the registry as the one-report
path does, in a few statements for the whole batch."""

from __future__ import annotations

import pytest

from tipline.accounts.models import User
from tipline.conftest import draft
from tipline.missing.choices import FoundBy, Source
from tipline.missing.models import MatchCandidate, MissingRecord
from tipline.missing.services import missing_record_create
from tipline.missing.tests.conftest import record_input
from tipline.pipeline.services import pipeline_process_due
from tipline.reports.choices import PersonRole
from tipline.reports.drafts import IncidentDraft, PersonDraft
from tipline.reports.models import Report
from tipline.reports.services import report_submit

pytestmark = pytest.mark.django_db


def _sighting(first: str, last: str, age: int, state: str) -> Report:
    child = PersonDraft(role=PersonRole.VICTIM, first_name=first, last_name=last, age=age)
    incident = IncidentDraft(
        type="missing_child_sighting",
        description="Invented: a girl near the market.",
        state_code=state,
    )
    return report_submit(draft=draft(incident=incident, people=[child])).report


def test_a_batch_finds_the_child_in_one_report_only(verified_record: MissingRecord) -> None:
    about = _sighting("Tope", "Adebayo", 11, "LA")
    other = _sighting("Musa", "Bello", 9, "KN")
    assert set(pipeline_process_due(size=50)) == {about.pk, other.pk}
    candidate = MatchCandidate.objects.get(record=verified_record)
    assert candidate.report_id == about.pk and candidate.found_by == FoundBy.REPORT


def test_with_no_open_record_the_batch_still_indexes_its_people(lagos_analyst: User) -> None:
    report = _sighting("Chiamaka", "Okafor", 9, "LA")
    assert set(pipeline_process_due(size=50)) == {report.pk}
    assert not MatchCandidate.objects.exists()
    record = missing_record_create(
        data=record_input(given_names="Chiamaka", family_name="Okafor", other_names=[], age=9),
        source=Source.CONSOLE,
        actor=lagos_analyst,
    ).record
    candidate = MatchCandidate.objects.get(record=record)
    assert candidate.found_by == FoundBy.RECORD and candidate.report_id == report.pk
