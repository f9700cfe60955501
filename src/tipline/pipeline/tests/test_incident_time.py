"""The incident time read from the reporter's words, in every public language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tipline.common.time import utcnow
from tipline.conftest import draft
from tipline.pipeline.incident_time import read_incident_time
from tipline.pipeline.services import pipeline_process_due
from tipline.reports.choices import PersonRole
from tipline.reports.drafts import IncidentDraft, PersonDraft
from tipline.reports.models import Report
from tipline.reports.services import report_submit

RECEIVED = datetime(2026, 5, 10, 11, 0, tzinfo=UTC)  # 12:00 in Lagos
YESTERDAY_EVENING = datetime(2026, 5, 9, 17, 0, tzinfo=UTC)  # 18:00 in Lagos
YESTERDAY_NIGHT = datetime(2026, 5, 9, 20, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("yesterday evening", "en", YESTERDAY_EVENING),
        ("jiya da yamma", "ha", YESTERDAY_EVENING),
        ("àná ní ìrọ̀lẹ́", "yo", YESTERDAY_EVENING),
        ("ụnyaahụ na mgbede", "ig", YESTERDAY_EVENING),
        ("yestade for evening", "pcm", YESTERDAY_EVENING),
        ("last night", "en", YESTERDAY_NIGHT),
        ("jiya da dare", "ha", YESTERDAY_NIGHT),
        ("2 days ago", "pcm", RECEIVED - timedelta(days=2)),
        ("3 May 2026", "ha", datetime(2026, 5, 2, 23, 0, tzinfo=UTC)),
    ],
)
def test_relative_times_are_read_in_every_language(
    text: str, language: str, expected: datetime
) -> None:
    reading = read_incident_time(text=text, language=language, received_at=RECEIVED)
    assert reading is not None and reading.at == expected
    assert f"'{text}'" in reading.note and f"language {language}" in reading.note
    assert "2026-05-10 12:00 WAT" in reading.note


@pytest.mark.parametrize("text", ["", "13", "I no know", "tomorrow", "she is afraid"])
def test_words_that_give_no_past_time_are_not_read(text: str) -> None:
    assert read_incident_time(text=text, language="en", received_at=RECEIVED) is None


def test_a_part_of_day_said_before_it_came_means_the_day_before() -> None:
    reading = read_incident_time(text="evening", language="en", received_at=RECEIVED)
    assert reading is not None and reading.at == YESTERDAY_EVENING


def test_the_pipeline_stores_the_reading_keeps_the_words_and_judges_recency_by_it(
    geo: Any,
) -> None:
    # The report from the issue: a man asking a 13-year-old for pictures, 'yesterday evening'.
    incident = IncidentDraft(
        type="online_enticement",
        description="An invented man is asking an invented 13-year-old for pictures.",
        occurred_at_text="jiya da yamma",
        state_code="LA",
    )
    victim = PersonDraft(role=PersonRole.VICTIM, age=13)
    received = utcnow() - timedelta(minutes=5)
    submitted = report_submit(
        draft=draft(incident=incident, people=[victim], language="ha", received_at=received)
    )
    pipeline_process_due(size=10)
    report = Report.objects.get(pk=submitted.report.pk)
    assert report.incident_time is None and report.incident_time_text == "jiya da yamma"
    assert report.incident_time_read is not None
    assert report.incident_time_read < report.received_at
    assert "read from 'jiya da yamma'" in report.incident_time_reading
    assert "language ha" in report.incident_time_reading
    assert report.priority == "P2"
    assert any("aged 13" in reason for reason in report.priority_reasons)
    assert not any("No urgent indicators" in reason for reason in report.priority_reasons)
