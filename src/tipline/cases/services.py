"""All writes to cases. Each runs in a transaction, writes its audit row, and puts what it did
on the case's timeline (`CaseEvent`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from tipline.accounts.selectors import command_ids_for
from tipline.audit.services import audit_record
from tipline.cases.choices import ALLOWED_TRANSITIONS, CaseEventKind, CaseStatus, CourtOutcome
from tipline.cases.models import Case, CaseCounter, CaseEvent, CaseReport, CaseTask
from tipline.common.time import utcnow
from tipline.reports.choices import ReportStatus
from tipline.reports.models import Report
from tipline.reports.services import report_transition


def format_case_reference(year: int, number: int) -> str:
    """`NAP-YYYY-NNNNN`."""
    return f"NAP-{year:04d}-{number:05d}"


def _next_reference(year: int) -> str:
    counter, _ = CaseCounter.objects.select_for_update().get_or_create(year=year)
    counter.last_number += 1  # the row lock is held to the commit: references have no gaps
    counter.save(update_fields=["last_number"])
    return format_case_reference(year, counter.last_number)


def _event(case: Case, kind: str, actor: Any | None, body: str = "", **data: Any) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, at=utcnow(), actor=actor, kind=kind, body=body, data=data
    )


def _audit(case: Case, action: str, actor: Any | None, ip: str | None, **after: Any) -> None:
    audit_record(
        actor=actor,
        action=f"case.{action}",
        object_type="case",
        object_id=case.pk,
        after={"reference": case.reference, **after},
        ip=ip,
    )


def _check_in_scope(user: Any, command: Any) -> None:
    """A team member must be able to see the command's cases, or the team cannot work."""
    scope = command_ids_for(user)
    if scope is not None and command.pk not in scope:
        raise ValidationError(f"{user.username} does not work in {command.name}.")


def case_open(
    *,
    command: Any,
    lead: Any,
    title: str,
    actor: Any,
    reports: Iterable[Report] = (),
    members: Iterable[Any] = (),
    summary: str = "",
    ip: str | None = None,
) -> Case:
    """Open a case for `command`, led by `lead`, from the reports given (none, one, or a
    cluster's). Each report moves to `case_opened` (see `_gather_report`). The caller has
    checked that `actor` may see the reports."""
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Give the case a title."})
    team = [lead, *members]
    for user in team:
        _check_in_scope(user, command)
    with transaction.atomic():
        now = utcnow()
        case = Case.objects.create(
            reference=_next_reference(now.year),
            title=title,
            summary=summary.strip(),
            command=command,
            lead=lead,
            opened_by=actor,
            opened_at=now,
            updated_at=now,
        )
        case.members.add(*team)
        _audit(case, "opened", actor, ip, command=command.code, lead=lead.pk)
        _event(case, CaseEventKind.OPENED, actor, command=command.code)
        for report in reports:
            _gather_report(case, report, actor, ip)
    return case


def _gather_report(case: Case, report: Report, actor: Any, ip: str | None) -> None:
    if CaseReport.objects.filter(case=case, report=report).exists():
        raise ValidationError(f"{report.reference} is already in {case.reference}.")
    CaseReport.objects.create(case=case, report=report, added_by=actor, added_at=utcnow())
    _move_report_to_case(report, actor, ip)
    _audit(case, "report_added", actor, ip, report=report.reference)
    _event(case, CaseEventKind.REPORT_ADDED, actor, report=report.reference)


def _move_report_to_case(report: Report, actor: Any, ip: str | None) -> None:
    """A report waiting in the queue is taken (assigned) and then opened as a case, both through
    `report_transition`; one already in a case stays; a closed or referred one is refused."""
    report.refresh_from_db(fields=["status"])
    if report.status == ReportStatus.CASE_OPENED:
        return
    if report.status == ReportStatus.AWAITING_TRIAGE:
        report_transition(report=report, to_status=ReportStatus.ASSIGNED, actor=actor, ip=ip)
        report.status = ReportStatus.ASSIGNED
    if report.status != ReportStatus.ASSIGNED:
        raise ValidationError(
            f"{report.reference} is {report.get_status_display().lower()}: reopen it first."
        )
    report_transition(
        report=report, to_status=ReportStatus.CASE_OPENED, actor=actor, ip=ip, note="case"
    )


def case_add_reports(
    *, case: Case, reports: Iterable[Report], actor: Any, ip: str | None = None
) -> Case:
    """Gather more reports into a case (each moved to `case_opened`); all or none."""
    with transaction.atomic():
        for report in reports:
            _gather_report(case, report, actor, ip)
        _touch(case)
    return case


def case_remove_report(*, case: Case, report: Report, actor: Any, ip: str | None = None) -> Case:
    """Take a report out of a case. Its own status is left alone: whether it needs more work is
    the analyst's call, through the report's own actions."""
    with transaction.atomic():
        deleted, _ = CaseReport.objects.filter(case=case, report=report).delete()
        if not deleted:
            raise ValidationError(f"{report.reference} is not in {case.reference}.")
        _audit(case, "report_removed", actor, ip, report=report.reference)
        _event(case, CaseEventKind.REPORT_REMOVED, actor, report=report.reference)
        _touch(case)
    return case


def case_add_member(*, case: Case, user: Any, actor: Any, ip: str | None = None) -> Case:
    """Add a user (who works in the case's command) to the case team."""
    _check_in_scope(user, case.command)
    with transaction.atomic():
        if case.members.filter(pk=user.pk).exists():
            raise ValidationError(f"{user.username} is already on the team.")
        case.members.add(user)
        _audit(case, "member_added", actor, ip, user=user.pk)
        _event(case, CaseEventKind.MEMBER_ADDED, actor, user=user.username)
        _touch(case)
    return case


def case_remove_member(*, case: Case, user: Any, actor: Any, ip: str | None = None) -> Case:
    """Take a user off the team; the lead stays (name another lead first)."""
    if user.pk == case.lead_id:
        raise ValidationError("The lead investigator stays on the team.")
    with transaction.atomic():
        if not case.members.filter(pk=user.pk).exists():
            raise ValidationError(f"{user.username} is not on the team.")
        case.members.remove(user)
        _audit(case, "member_removed", actor, ip, user=user.pk)
        _event(case, CaseEventKind.MEMBER_REMOVED, actor, user=user.username)
        _touch(case)
    return case


def _touch(case: Case) -> None:
    case.updated_at = utcnow()
    case.save(update_fields=["updated_at"])


def case_transition(
    *,
    case: Case,
    to: str,
    actor: Any,
    reason: str = "",
    outcome: str = "",
    ip: str | None = None,
) -> Case:
    """The one place a case's status changes, over `ALLOWED_TRANSITIONS`.

    Closing needs the HTCDS reason for closure (`reason`); closing from `in_court` also needs
    the court's `outcome`. Any other move keeps `reason` as its note on the timeline.
    """
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        before = locked.status
        if to not in ALLOWED_TRANSITIONS.get(before, frozenset()):
            raise ValidationError(f"A case cannot go from {before} to {to}.")
        _check_closing(before, to, reason.strip(), outcome)
        fields = _apply(locked, to, reason.strip(), outcome)
        locked.save(update_fields=fields)
        _audit(locked, "status_changed", actor, ip, before=before, status=to, outcome=outcome)
        _event(
            locked, CaseEventKind.STATUS_CHANGED, actor, reason.strip(), before=before, status=to
        )
    return locked


def _check_closing(before: str, to: str, reason: str, outcome: str) -> None:
    if to != CaseStatus.CLOSED:
        if outcome:
            raise ValidationError({"outcome": "Only closing a case records a court outcome."})
        return
    if not reason:
        raise ValidationError({"reason": "Closing a case needs the reason for closure."})
    if before == CaseStatus.IN_COURT and outcome not in CourtOutcome.values:
        raise ValidationError({"outcome": "A case closed in court needs the court's outcome."})
    if before != CaseStatus.IN_COURT and outcome:
        raise ValidationError({"outcome": "Only a case closed from court has a court outcome."})


def _apply(case: Case, to: str, reason: str, outcome: str) -> list[str]:
    now = utcnow()
    case.status, case.updated_at = to, now
    if to == CaseStatus.CLOSED:
        case.closed_at, case.closure_reason, case.court_outcome = now, reason, outcome
    else:
        # Reopening clears the closing, which stays on the timeline and in the audit trail.
        case.closed_at, case.closure_reason, case.court_outcome = None, "", ""
    return ["status", "updated_at", "closed_at", "closure_reason", "court_outcome"]


def case_add_note(*, case: Case, body: str, actor: Any, ip: str | None = None) -> CaseEvent:
    """A team member's note on the timeline (encrypted; the audit row keeps only its length)."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write the note."})
    with transaction.atomic():
        event = _event(case, CaseEventKind.NOTE, actor, body)
        _audit(case, "note_added", actor, ip, event=event.pk, length=len(body))
        _touch(case)
    return event


def case_task_add(
    *, case: Case, title: str, assignee: Any, due_on: date, actor: Any, ip: str | None = None
) -> CaseTask:
    """Give a team member something to do by `due_on`."""
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Say what is to be done."})
    if not case.members.filter(pk=assignee.pk).exists():
        raise ValidationError({"assignee": f"{assignee.username} is not on the case team."})
    with transaction.atomic():
        task = CaseTask.objects.create(
            case=case,
            title=title,
            assignee=assignee,
            due_on=due_on,
            created_by=actor,
            created_at=utcnow(),
        )
        _audit(case, "task_added", actor, ip, task=task.pk, assignee=assignee.pk, due=due_on)
        _event(case, CaseEventKind.TASK_ADDED, actor, title, task=task.pk, due=str(due_on))
    return task


def case_task_complete(*, task: CaseTask, actor: Any, ip: str | None = None) -> CaseTask:
    """Mark a task done (once)."""
    with transaction.atomic():
        locked = CaseTask.objects.select_for_update().select_related("case").get(pk=task.pk)
        if locked.done_at is not None:
            raise ValidationError("This task is already done.")
        locked.done_at = utcnow()
        locked.save(update_fields=["done_at"])
        _audit(locked.case, "task_done", actor, ip, task=locked.pk)
        _event(locked.case, CaseEventKind.TASK_DONE, actor, locked.title, task=locked.pk)
    return locked
