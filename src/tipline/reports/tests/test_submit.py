from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from tipline.audit.models import AuditEvent
from tipline.common import ids
from tipline.conftest import draft
from tipline.reports.choices import Channel, InternetDetailKind, PersonRole, ReportStatus
from tipline.reports.drafts import (
    Account,
    FileDraft,
    IncidentDraft,
    InternetDetailDraft,
    IpEvent,
    PersonDraft,
)
from tipline.reports.models import Report
from tipline.reports.services import SUBMITTED_CHANNEL, report_submit, report_transition


def _full_draft() -> Any:
    suspect = PersonDraft(
        role=PersonRole.REPORTED_PERSON,
        first_name="Invented",
        accounts=[
            Account(
                platform="Instagram",
                screen_name="made_up_7",
                profile_urls=["https://instagram.example.com/made_up_7"],
            )
        ],
        ip_events=[IpEvent(ip="198.51.100.7", port=51234, event="Login")],
    )
    return draft(
        channel=Channel.API,
        external_id="abc-1",
        incident=IncidentDraft(
            type="financial_sextortion",
            annotations=["sextortion"],
            description="Invented case.",
            state_code="KN",
            occurred_at="2026-01-02T10:00:00",
        ),
        people=[suspect, PersonDraft(role=PersonRole.VICTIM, age=15)],
        internet_details=[
            InternetDetailDraft(kind=InternetDetailKind.CHAT_IM, chat_client="Telegram")
        ],
        files=[FileDraft(md5="0" * 32, original_name="a.jpg")],
        raw_record='{"verbatim": true}',
        raw_content_type="application/json",
    )


def test_submit_stores_every_part_with_a_reference_and_hashed_receipt(geo: Any) -> None:
    result = report_submit(draft=_full_draft())
    report = Report.objects.get(pk=result.report.pk)
    assert re.fullmatch(r"TL-\d{4}-\d{6}", report.reference)
    assert report.receipt_hash == ids.receipt_hash(result.receipt_code)
    assert result.receipt_code not in report.receipt_hash
    assert report.people.count() == 2
    assert report.internet_details.get().data == {"chat_client": "Telegram"}
    assert report.files.get().is_hash_only
    assert report.state is not None and report.state.code == "KN"
    assert report.raw_record == '{"verbatim": true}'
    assert report.annotations == ["sextortion"]
    suspect = report.people.get(role=PersonRole.REPORTED_PERSON)
    assert suspect.details["ip_events"][0]["port"] == 51234


def test_incident_time_without_zone_is_read_as_wat_and_stored_utc(geo: Any) -> None:
    report = report_submit(draft=_full_draft()).report
    assert report.incident_time is not None
    assert report.incident_time.isoformat() == "2026-01-02T09:00:00+00:00"
    assert report.incident_time_zone_given is False


def test_references_count_up(geo: Any) -> None:
    first = report_submit(draft=draft()).report.reference
    second = report_submit(draft=draft()).report.reference
    assert int(second[-6:]) == int(first[-6:]) + 1


def test_submit_writes_an_audit_row_without_personal_details(geo: Any) -> None:
    report = report_submit(draft=draft()).report
    event = AuditEvent.objects.get(action="report.submitted", object_id=str(report.pk))
    assert event.after["reference"] == report.reference
    assert "Adaeze" not in str(event.after)


def test_unknown_state_is_refused_and_nothing_is_stored(geo: Any) -> None:
    bad = draft(incident=IncidentDraft(type="online_enticement", state_code="ZZ"))
    with pytest.raises(ValidationError):
        report_submit(draft=bad)
    assert not Report.objects.exists()


def test_file_without_content_or_hash_is_refused(geo: Any) -> None:
    with pytest.raises(ValidationError):
        report_submit(draft=draft(files=[FileDraft(original_name="x.jpg")]))
    assert not Report.objects.exists()


def test_submit_leaves_no_work_to_run_after_its_commit(
    geo: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Work after the commit could fail (the database gone) and turn a stored report into an
    # error for its reporter; the pipeline's workers find the report in the table instead.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report_submit(draft=draft())
    assert callbacks == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="NOTIFY is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_submit_announces_the_report_with_its_commit_only(geo: Any) -> None:
    listener = connection.get_new_connection(connection.get_connection_params())
    listener.autocommit = True
    listener.execute(f"LISTEN {SUBMITTED_CHANNEL}")
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            report_submit(draft=draft())
            raise RuntimeError("the caller's transaction fails after submitting")
        assert list(listener.notifies(timeout=0.5)) == []  # rolled back: nothing announced
        report_submit(draft=draft())
        heard = list(listener.notifies(timeout=5, stop_after=1))
    finally:
        listener.close()
    assert [n.channel for n in heard] == [SUBMITTED_CHANNEL]


def test_transition_table_allows_and_refuses(geo: Any) -> None:
    report = report_submit(draft=draft()).report
    with pytest.raises(ValidationError, match="cannot go from received to closed"):
        report_transition(
            report=report, to_status=ReportStatus.CLOSED, actor=None, reason="duplicate"
        )
    report = report_transition(report=report, to_status=ReportStatus.PROCESSING, actor=None)
    assert report.status == ReportStatus.PROCESSING
    assert AuditEvent.objects.filter(action="report.status_changed").count() == 1


def test_closing_needs_a_reason(geo: Any) -> None:
    report = report_submit(draft=draft()).report
    for status in (ReportStatus.PROCESSING, ReportStatus.AWAITING_TRIAGE):
        report = report_transition(report=report, to_status=status, actor=None)
    with pytest.raises(ValidationError, match="reason"):
        report_transition(report=report, to_status=ReportStatus.CLOSED, actor=None)
    closed = report_transition(
        report=report, to_status=ReportStatus.CLOSED, actor=None, reason="informational"
    )
    assert closed.closed_reason == "informational"


def test_first_triage_decision_is_timed_once(geo: Any) -> None:
    report = report_submit(draft=draft()).report
    for status in (ReportStatus.PROCESSING, ReportStatus.AWAITING_TRIAGE):
        report = report_transition(report=report, to_status=status, actor=None)
    assert report.triaged_at is None
    report = report_transition(report=report, to_status=ReportStatus.ASSIGNED, actor=None)
    first = report.triaged_at
    assert first is not None
    for status in (ReportStatus.AWAITING_TRIAGE, ReportStatus.ASSIGNED):
        report = report_transition(report=report, to_status=status, actor=None)
    assert Report.objects.get(pk=report.pk).triaged_at == first  # back and forth keeps the first


def test_a_nul_character_anywhere_in_a_draft_is_refused_clearly() -> None:
    import pydantic

    from tipline.conftest import draft as make_draft
    from tipline.reports.drafts import IncidentDraft

    with pytest.raises(pydantic.ValidationError, match="NUL character"):
        make_draft(incident=IncidentDraft(type="online_enticement", description="a\x00b"))
