"""Opening a case, its team and reports, the transition table, notes and tasks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.cases import services
from tipline.cases.choices import ALLOWED_TRANSITIONS, CaseEventKind, CaseStatus, CourtOutcome
from tipline.cases.models import Case
from tipline.cases.selectors import case_timeline
from tipline.reports.choices import ReportStatus
from tipline.reports.models import Report

ALLOWED = sorted((a, b) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets)
REFUSED = sorted((a, b) for a in CaseStatus for b in CaseStatus if b not in ALLOWED_TRANSITIONS[a])


def _case_in(status: str, case: Case) -> Case:
    """Put a case in `status` directly (the state under test), bypassing the service."""
    closed = status == CaseStatus.CLOSED
    Case.objects.filter(pk=case.pk).update(
        status=status, closed_at=case.opened_at if closed else None
    )
    return Case.objects.get(pk=case.pk)


def _closing_args(before: str, to: str) -> dict[str, str]:
    if to != CaseStatus.CLOSED:
        return {"reason": "Invented note."}
    outcome = CourtOutcome.CONVICTED if before == CaseStatus.IN_COURT else ""
    return {"reason": "Invented reason for closure.", "outcome": outcome}


def test_the_table_covers_every_status() -> None:
    assert set(ALLOWED_TRANSITIONS) == set(CaseStatus)
    assert len(ALLOWED) + len(REFUSED) == len(CaseStatus) ** 2


@pytest.mark.parametrize(("before", "to"), ALLOWED)
def test_every_allowed_transition_moves_and_is_on_the_timeline_and_audited(
    before: str, to: str, make_case: Callable[..., Case], investigator: User
) -> None:
    case = _case_in(before, make_case())
    moved = services.case_transition(
        case=case, to=to, actor=investigator, **_closing_args(before, to)
    )
    stored = Case.objects.get(pk=case.pk)
    assert (moved.status, stored.status) == (to, to)
    assert (stored.closed_at is not None) == (to == CaseStatus.CLOSED)
    latest = case_timeline(case=case).first()
    assert latest is not None and latest.kind == CaseEventKind.STATUS_CHANGED
    assert latest.data == {"before": before, "status": to}
    audit = AuditEvent.objects.filter(action="case.status_changed", object_id=str(case.pk))
    assert audit.get().after["status"] == to


@pytest.mark.parametrize(("before", "to"), REFUSED)
def test_every_refused_transition_changes_nothing(
    before: str, to: str, make_case: Callable[..., Case], investigator: User
) -> None:
    case = _case_in(before, make_case())
    with pytest.raises(ValidationError, match="cannot go from"):
        services.case_transition(case=case, to=to, actor=investigator, **_closing_args(before, to))
    assert Case.objects.get(pk=case.pk).status == before
    assert not AuditEvent.objects.filter(action="case.status_changed").exists()


def test_closing_needs_a_reason(make_case: Callable[..., Case], investigator: User) -> None:
    case = make_case()
    with pytest.raises(ValidationError, match="reason for closure"):
        services.case_transition(case=case, to=CaseStatus.CLOSED, actor=investigator)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN


def test_closing_from_court_needs_the_outcome(
    make_case: Callable[..., Case], investigator: User
) -> None:
    case = _case_in(CaseStatus.IN_COURT, make_case())
    with pytest.raises(ValidationError, match="court's outcome"):
        services.case_transition(
            case=case, to=CaseStatus.CLOSED, actor=investigator, reason="Trial ended."
        )
    closed = services.case_transition(
        case=case,
        to=CaseStatus.CLOSED,
        actor=investigator,
        reason="Trial ended.",
        outcome=CourtOutcome.ACQUITTED,
    )
    stored = Case.objects.get(pk=closed.pk)
    assert (stored.court_outcome, stored.closure_reason) == ("acquitted", "Trial ended.")
    assert stored.htcds_status == "Closed"


def test_an_outcome_without_a_trial_is_refused(
    make_case: Callable[..., Case], investigator: User
) -> None:
    with pytest.raises(ValidationError, match="closed from court"):
        services.case_transition(
            case=make_case(),
            to=CaseStatus.CLOSED,
            actor=investigator,
            reason="Opened in error.",
            outcome=CourtOutcome.CONVICTED,
        )


def test_reopening_clears_the_closing_but_keeps_it_on_the_timeline(
    make_case: Callable[..., Case], investigator: User
) -> None:
    case = services.case_transition(
        case=make_case(), to=CaseStatus.CLOSED, actor=investigator, reason="No offence found."
    )
    reopened = services.case_transition(case=case, to=CaseStatus.REOPENED, actor=investigator)
    assert (reopened.closed_at, reopened.closure_reason) == (None, "")
    bodies = [e.body for e in case_timeline(case=case)]
    assert "No offence found." in bodies


def test_references_count_up_per_year(make_case: Callable[..., Case]) -> None:
    first, second = make_case(), make_case()
    year = first.opened_at.year
    assert first.reference == f"NAP-{year}-00001"
    assert second.reference == f"NAP-{year}-00002"


def test_opening_from_reports_moves_each_to_case_opened(
    make_case: Callable[..., Case], lagos_report: Report, investigator: User
) -> None:
    assert lagos_report.status == ReportStatus.AWAITING_TRIAGE
    case = make_case(reports=(lagos_report,))
    lagos_report.refresh_from_db()
    assert lagos_report.status == ReportStatus.CASE_OPENED
    assert list(case.reports.all()) == [lagos_report]
    moves = AuditEvent.objects.filter(action="report.status_changed", object_id=lagos_report.pk)
    assert [m.after["status"] for m in moves.order_by("pk")][-2:] == ["assigned", "case_opened"]
    kinds = [e.kind for e in case_timeline(case=case)]
    assert kinds == [CaseEventKind.REPORT_ADDED, CaseEventKind.OPENED]


def test_a_closed_report_is_refused_and_nothing_is_opened(
    make_case: Callable[..., Case], lagos_report: Report
) -> None:
    Report.objects.filter(pk=lagos_report.pk).update(
        status=ReportStatus.CLOSED, closed_reason="no_offence"
    )
    with pytest.raises(ValidationError, match="reopen it first"):
        make_case(reports=(lagos_report,))
    assert not Case.objects.exists()


def test_a_report_can_be_in_two_cases_and_removed_from_one(
    make_case: Callable[..., Case], lagos_report: Report, investigator: User
) -> None:
    first = make_case(reports=(lagos_report,))
    second = make_case()
    services.case_add_reports(case=second, reports=[lagos_report], actor=investigator)
    services.case_remove_report(case=first, report=lagos_report, actor=investigator)
    assert list(first.reports.all()) == []
    assert list(second.reports.all()) == [lagos_report]
    with pytest.raises(ValidationError, match="not in"):
        services.case_remove_report(case=first, report=lagos_report, actor=investigator)


def test_the_team_must_work_in_the_command(
    make_case: Callable[..., Case], make_user: Callable[..., User], investigator: User
) -> None:
    kano = make_user(Role.INVESTIGATOR, ("KAN",))
    with pytest.raises(ValidationError, match="does not work in"):
        make_case(members=[kano])
    case = make_case()
    with pytest.raises(ValidationError, match="does not work in"):
        services.case_add_member(case=case, user=kano, actor=investigator)


def test_the_lead_cannot_be_taken_off_the_team(
    make_case: Callable[..., Case], investigator: User, colleague: User
) -> None:
    case = make_case(members=[colleague])
    with pytest.raises(ValidationError, match="lead"):
        services.case_remove_member(case=case, user=investigator, actor=investigator)
    services.case_remove_member(case=case, user=colleague, actor=investigator)
    assert list(case.members.all()) == [investigator]


def test_a_note_is_encrypted_and_audited_by_length_only(
    make_case: Callable[..., Case], investigator: User
) -> None:
    case = make_case()
    event = services.case_add_note(case=case, body="Invented lead: a bus park.", actor=investigator)
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM cases_caseevent WHERE id = %s", [event.pk])
        stored = cursor.fetchone()[0]
    assert "bus park" not in stored
    audit = AuditEvent.objects.get(action="case.note_added")
    assert audit.after["length"] == len("Invented lead: a bus park.")
    assert "bus park" not in str(audit.after)


def test_tasks_go_only_to_the_team_and_are_done_once(
    make_case: Callable[..., Case], investigator: User, colleague: User
) -> None:
    case = make_case()
    with pytest.raises(ValidationError, match="not on the case team"):
        services.case_task_add(
            case=case,
            title="Interview",
            assignee=colleague,
            due_on=date(2026, 1, 1),
            actor=investigator,
        )
    task = services.case_task_add(
        case=case,
        title="Interview the victim",
        assignee=investigator,
        due_on=date(2026, 1, 1),
        actor=investigator,
    )
    services.case_task_complete(task=task, actor=investigator)
    with pytest.raises(ValidationError, match="already done"):
        services.case_task_complete(task=task, actor=investigator)
    kinds = [e.kind for e in case_timeline(case=case)][:2]
    assert kinds == [CaseEventKind.TASK_DONE, CaseEventKind.TASK_ADDED]
