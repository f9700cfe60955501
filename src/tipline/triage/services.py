"""Triage actions on reports: claim, assign, close (incl. as a duplicate), change priority,
note, refer to a partner, escalate.

Each is one audited service; bulk actions call them per report and say how each one went.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from tipline.accounts.models import User
from tipline.audit.services import audit_record
from tipline.common.time import utcnow
from tipline.geo.choices import CommandKind
from tipline.geo.models import RegionalCommand
from tipline.reports.choices import (
    ALLOWED_TRANSITIONS,
    CloseReason,
    Priority,
    ReportStatus,
    SharingLevel,
)
from tipline.reports.models import Report
from tipline.reports.selectors import reports_visible_to
from tipline.reports.services import report_set_priority, report_transition
from tipline.triage.choices import EscalationState, NotificationKind, ReferralState
from tipline.triage.models import Escalation, Notification, Referral, ReportNote
from tipline.triage.selectors import supervisors_for_report


def report_assign(*, report: Report, assignee: User, actor: User, ip: str | None = None) -> Report:
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
        if assignee.pk != getattr(actor, "pk", None):
            notification_create(
                user=assignee,
                report=report,
                kind=NotificationKind.ASSIGNED,
                text=f"{report.reference} assigned to you by {actor.username}",
            )
    return report


def report_close(
    *,
    report: Report,
    reason: str,
    actor: User,
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


def report_change_priority(*, report: Report, priority: str, reason: str, actor: User) -> Report:
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


NOTE_MAX = 5000
SUPERVISING_ROLES = frozenset({"supervisor", "administrator"})


def report_add_note(*, report: Report, body: str, actor: User, ip: str | None = None) -> ReportNote:
    """Add an analyst's note. The audit row records that a note was added, not what it says."""
    body = body.strip()
    if not body:
        raise ValidationError("A note cannot be empty.")
    if len(body) > NOTE_MAX:
        raise ValidationError(f"A note can be at most {NOTE_MAX} characters.")
    with transaction.atomic():
        note = ReportNote.objects.create(
            report=report, author=actor, body=body, created_at=utcnow()
        )
        audit_record(
            actor=actor,
            action="report.note_added",
            object_type="report",
            object_id=report.pk,
            after={"note": note.pk, "length": len(body)},
            ip=ip,
        )
    return note


def report_refer(
    *, report: Report, partner: RegionalCommand, reason: str, actor: User, ip: str | None = None
) -> Referral:
    """Record a referral to a partner queue; the exchange sends it later.

    A TLP:RED report is never referred outside the agency, and a report referred to a partner
    already waiting to be sent is not referred to it twice.
    """
    if partner.kind != CommandKind.PARTNER:
        raise ValidationError(f"{partner.name} is not a partner queue.")
    if report.sharing_level == SharingLevel.RED:
        raise ValidationError("A TLP:RED report is not shared outside the agency.")
    if not reason.strip():
        raise ValidationError("Say why the report is referred.")
    with transaction.atomic():
        if Referral.objects.filter(
            report=report, partner=partner, state=ReferralState.PENDING
        ).exists():
            raise ValidationError(f"Already referred to {partner.name}, waiting to be sent.")
        referral = Referral.objects.create(
            report=report,
            partner=partner,
            reason=reason.strip()[:2000],
            created_by=actor,
            created_at=utcnow(),
        )
        if ReportStatus.REFERRED in ALLOWED_TRANSITIONS.get(report.status, frozenset()):
            report_transition(report=report, to_status=ReportStatus.REFERRED, actor=actor, ip=ip)
        audit_record(
            actor=actor,
            action="report.referred",
            object_type="report",
            object_id=report.pk,
            after={"partner": partner.code, "referral": referral.pk, "reason": referral.reason},
            ip=ip,
        )
    return referral


# A referral asked for in triage moves once: pending -> sent (the exchange sent it) or withdrawn.
REFERRAL_TRANSITIONS: dict[str, frozenset[str]] = {
    ReferralState.PENDING: frozenset({ReferralState.SENT, ReferralState.WITHDRAWN}),
    ReferralState.SENT: frozenset(),
    ReferralState.WITHDRAWN: frozenset(),
}


def referral_transition(
    *, referral: Referral, to_state: str, actor: User | None, note: str = ""
) -> Referral:
    """Move a triage referral along `REFERRAL_TRANSITIONS`: `sent` when the partner exchange
    sent the report (`note` says how), `withdrawn` when it will not be. Audited."""
    with transaction.atomic():
        row = Referral.objects.select_for_update().get(pk=referral.pk)
        if to_state not in REFERRAL_TRANSITIONS.get(row.state, frozenset()):
            raise ValidationError(f"A {row.state} referral cannot become {to_state}.")
        before = row.state
        row.state = to_state
        row.sent_at = utcnow() if to_state == ReferralState.SENT else None
        row.save(update_fields=["state", "sent_at"])
        audit_record(
            actor=actor,
            actor_label=None if actor else "system:exchange",
            action=f"report.referral_{to_state}",
            object_type="report",
            object_id=row.report_id,
            before={"state": before},
            after={"referral": row.pk, "state": to_state, "note": note[:500]},
        )
    return row


def report_escalate(
    *, report: Report, reason: str, actor: User, ip: str | None = None
) -> Escalation:
    """Ask a supervisor to look at the report now. One open escalation per report."""
    if not reason.strip():
        raise ValidationError("Say why the report is escalated.")
    with transaction.atomic():
        if Escalation.objects.filter(report=report, state=EscalationState.OPEN).exists():
            raise ValidationError("This report is already escalated.")
        escalation = Escalation.objects.create(
            report=report, reason=reason.strip()[:2000], raised_by=actor, raised_at=utcnow()
        )
        audit_record(
            actor=actor,
            action="report.escalated",
            object_type="report",
            object_id=report.pk,
            after={"escalation": escalation.pk, "reason": escalation.reason},
            ip=ip,
        )
        _notify_users(
            users=[u for u in supervisors_for_report(report=report) if u.pk != actor.pk],
            report=report,
            kind=NotificationKind.ESCALATED,
            text=f"{report.reference} escalated by {actor.username}",
        )
    return escalation


def escalation_acknowledge(
    *, escalation: Escalation, actor: User, ip: str | None = None
) -> Escalation:
    """A supervisor takes the escalation; it leaves the open list."""
    if getattr(actor, "role", "") not in SUPERVISING_ROLES:
        raise ValidationError("Only a supervisor can acknowledge an escalation.")
    with transaction.atomic():
        locked = Escalation.objects.select_for_update().get(pk=escalation.pk)
        if locked.state != EscalationState.OPEN:
            raise ValidationError("This escalation is already acknowledged.")
        locked.state = EscalationState.ACKNOWLEDGED
        locked.acknowledged_by, locked.acknowledged_at = actor, utcnow()
        locked.save(update_fields=["state", "acknowledged_by", "acknowledged_at"])
        audit_record(
            actor=actor,
            action="report.escalation_acknowledged",
            object_type="report",
            object_id=locked.report_id,
            after={"escalation": locked.pk},
            ip=ip,
        )
    return locked


NOTIFICATION_TEXT_MAX = 300


def notification_create(
    *,
    user: User | None = None,
    command: RegionalCommand | None = None,
    report: Report,
    kind: str,
    text: str,
) -> list[Notification]:
    """Tell one user, or every active member of a command, that a report needs a look.

    `kind` is a `NotificationKind` (assigned, escalated, updated, linked). The text shows in the
    console's badge list, so it must not name a victim or suspect: say what happened and to which
    reference. One row per recipient, each read separately; one audit row for the call.
    """
    _known_kind(kind)
    if user is None and command is None:
        raise ValidationError("A notification needs a user or a command.")
    users = [user] if user is not None else []
    if command is not None:
        users += list(command.members.filter(is_active=True))
    return _notify_users(users=users, report=report, kind=kind, text=text)


@dataclass(frozen=True)
class CommandNotice:
    """One notification to every active member of a command (see `notifications_create`)."""

    command_id: int
    report: Report
    kind: str
    text: str


def notifications_create(*, notices: list[CommandNotice]) -> list[Notification]:
    """`notification_create(command=...)` for many at once (the pipeline's batch): the members
    of all the commands read in one query and the rows written in one statement; one audit row
    per notice, as one call each would write."""
    for notice in notices:
        _known_kind(notice.kind)
    members: dict[int, list[User]] = defaultdict(list)
    links = User.commands.through.objects.filter(
        regionalcommand_id__in={n.command_id for n in notices}, user__is_active=True
    )
    for link in links.select_related("user"):
        members[link.regionalcommand_id].append(link.user)
    now, rows = utcnow(), []
    with transaction.atomic():
        for notice in notices:
            users = {u.pk: u for u in members[notice.command_id]}
            rows += [_row(u, notice.report, notice.kind, notice.text, now) for u in users.values()]
            if users:
                _audit_created(notice.report, notice.kind, sorted(users))
        return Notification.objects.bulk_create(rows)


def _known_kind(kind: str) -> None:
    """Refuse a kind that is not a `NotificationKind` (before anything is written)."""
    if kind not in NotificationKind.values:
        raise ValidationError(f"Unknown notification kind {kind!r}.")


def _row(user: User, report: Report, kind: str, text: str, now: datetime) -> Notification:
    return Notification(
        recipient=user, report=report, kind=kind, text=text[:NOTIFICATION_TEXT_MAX], created_at=now
    )


def _audit_created(report: Report, kind: str, recipients: list[int]) -> None:
    audit_record(
        actor=None,
        action="notification.created",
        object_type="report",
        object_id=report.pk,
        after={"kind": kind, "recipients": recipients},
    )


def _notify_users(*, users: list[Any], report: Report, kind: str, text: str) -> list[Notification]:
    unique = {u.pk: u for u in users if u.is_active}
    now = utcnow()
    with transaction.atomic():
        made = Notification.objects.bulk_create(
            _row(u, report, kind, text, now) for u in unique.values()
        )
        if made:
            _audit_created(report, kind, sorted(unique))
    return made


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the user's unread notifications read (all, or those in `ids`); returns how many."""
    with transaction.atomic():
        qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        count = qs.update(read_at=utcnow())
        if count:
            audit_record(
                actor=user,
                action="notification.read",
                object_type="user",
                object_id=user.pk,
                after={"count": count},
            )
    return count


def reports_exported(
    *, actor: User, source: str, criteria: dict[str, Any], references: list[str], ip: str | None
) -> None:
    """Record that a list of reports left the console as a file: who, from where (queue or
    search), with what filters, and which references, so a leak can be traced."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="reports.exported_csv",
            object_type="export",
            object_id=source,
            after={"criteria": criteria, "count": len(references), "references": references},
            ip=ip,
        )
