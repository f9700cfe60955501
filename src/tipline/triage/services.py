"""Triage actions on reports: claim, assign, close (incl. as a duplicate), change priority.

Each is one audited service; bulk actions call them per report and say how each one went.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from tipline.audit.services import audit_record
from tipline.reports.choices import CloseReason, Priority, ReportStatus
from tipline.reports.models import Report
from tipline.reports.selectors import reports_visible_to
from tipline.reports.services import report_set_priority, report_transition


def report_assign(*, report: Report, assignee: Any, actor: Any, ip: str | None = None) -> Report:
    """Give the report to someone who may see it; it leaves the untouched queue."""
    if not reports_visible_to(assignee).filter(pk=report.pk).exists():
        raise ValidationError(f"{assignee.username} cannot see {report.reference}.")
    with transaction.atomic():
        if report.status == ReportStatus.AWAITING_TRIAGE:
            report = report_transition(
                report=report, to_status=ReportStatus.ASSIGNED, actor=actor, ip=ip
            )
        before = report.assigned_to.username if report.assigned_to else None
        report.assigned_to = assignee
        report.save(update_fields=["assigned_to", "updated_at"])
        audit_record(
            actor=actor,
            action="report.assigned",
            object_type="report",
            object_id=report.pk,
            before={"assigned_to": before},
            after={"assigned_to": assignee.username},
            ip=ip,
        )
    return report


def report_close(
    *,
    report: Report,
    reason: str,
    actor: Any,
    note: str = "",
    duplicate_of: Report | None = None,
    ip: str | None = None,
) -> Report:
    """Close with one of the agreed reasons; a duplicate names the report it duplicates."""
    if reason not in CloseReason.values:
        raise ValidationError(f"Unknown close reason {reason!r}.")
    if reason == CloseReason.DUPLICATE and (duplicate_of is None or duplicate_of.pk == report.pk):
        raise ValidationError("A duplicate must name another report.")
    if duplicate_of is not None:
        note = f"duplicate of {duplicate_of.reference}. {note}".strip()
    return report_transition(
        report=report, to_status=ReportStatus.CLOSED, actor=actor, reason=reason, note=note, ip=ip
    )


def report_change_priority(*, report: Report, priority: str, reason: str, actor: Any) -> Report:
    """A person overrides the computed priority, and says why."""
    if priority not in Priority.values:
        raise ValidationError(f"Unknown priority {priority!r}.")
    if not reason.strip():
        raise ValidationError("Say why the priority changes.")
    reasons = [f"Set to {priority} by {actor.username}: {reason.strip()}", *report.priority_reasons]
    return report_set_priority(
        report=report, priority=priority, reasons=reasons, actor=actor, note=reason
    )


@dataclass(frozen=True)
class BulkOutcome:
    """One report of a bulk action: whether it worked, and if not, why."""

    reference: str
    ok: bool
    message: str = ""


def bulk_apply(*, reports: list[Report], action: Any) -> list[BulkOutcome]:
    """Apply `action(report)` to each report on its own; one failure does not stop the rest."""
    outcomes = []
    for report in reports:
        try:
            action(report)
        except ValidationError as exc:
            outcomes.append(BulkOutcome(report.reference, False, "; ".join(exc.messages)))
        else:
            outcomes.append(BulkOutcome(report.reference, True))
    return outcomes
