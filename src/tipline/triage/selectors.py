"""Queues: what each user works, by priority then age, with filters and SLA flags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from tipline.accounts.models import User
from tipline.accounts.types import Viewer
from tipline.common.time import utcnow
from tipline.geo.choices import CommandKind
from tipline.geo.models import RegionalCommand
from tipline.reports.choices import ReportStatus
from tipline.reports.models import Report
from tipline.reports.selectors import reports_visible_to
from tipline.triage.choices import EscalationState
from tipline.triage.models import Escalation, Notification, Referral, ReportNote

# A P1 untouched for an hour, or a P2 for a day, is overdue.
SLA = {"P1": timedelta(hours=1), "P2": timedelta(hours=24)}
OPEN_STATUSES = [
    ReportStatus.AWAITING_TRIAGE,
    ReportStatus.ASSIGNED,
    ReportStatus.PROCESSING,
    ReportStatus.RECEIVED,
]


@dataclass(frozen=True)
class QueueFilters:
    """The filters of the queue and search pages."""

    command: str = ""
    incident_type: str = ""
    channel: str = ""
    state: str = ""
    status: str = ""
    priority: str = ""
    has_match: bool = False
    in_cluster: bool = False
    mine: bool = False


def _priority_rank() -> Case:
    whens = [When(priority=p, then=Value(i)) for i, p in enumerate(["P1", "P2", "P3", "P4"])]
    return Case(*whens, default=Value(9), output_field=IntegerField())


def reports_filtered(qs: QuerySet[Report], f: QueueFilters, user: User) -> QuerySet[Report]:
    """Apply the queue's filters (shared by the queue and search pages)."""
    pairs = {
        "routed_command__code": f.command,
        "incident_type": f.incident_type,
        "channel": f.channel,
        "state__code": f.state,
        "status": f.status,
        "priority": f.priority,
    }
    qs = qs.filter(**{k: v for k, v in pairs.items() if v})
    if f.has_match:
        qs = qs.filter(files__matches__isnull=False).distinct()
    if f.in_cluster:
        qs = qs.filter(cluster_id__isnull=False)
    if f.mine:
        qs = qs.filter(assigned_to=user)
    return qs


# The queue's order, ending in the primary key so keyset pages are total (common/paging.py).
QUEUE_ORDER = ["rank", "received_at", "pk"]


def queue_for_user(*, user: User, filters: QueueFilters) -> QuerySet[Report]:
    """Open reports in the user's scope, P1 first, then oldest first (page it by QUEUE_ORDER)."""
    qs = reports_visible_to(user).filter(status__in=OPEN_STATUSES)
    if filters.status:
        qs = reports_visible_to(user)
    qs = reports_filtered(qs, filters, user).select_related(
        "routed_command", "state", "assigned_to"
    )
    return qs.annotate(rank=_priority_rank()).order_by(*QUEUE_ORDER)


def overdue_q(now: Any = None) -> Q:
    """Untouched (awaiting triage) past the SLA of its priority."""
    now = now or utcnow()
    untouched = Q(status=ReportStatus.AWAITING_TRIAGE)
    return untouched & (
        Q(priority="P1", received_at__lt=now - SLA["P1"])
        | Q(priority="P2", received_at__lt=now - SLA["P2"])
    )


def overdue_for_user(*, user: Viewer) -> QuerySet[Report]:
    """Overdue reports in scope (a national supervisor sees every command's)."""
    return (
        reports_visible_to(user)
        .filter(overdue_q())
        .select_related("routed_command")
        .order_by("received_at")
    )


def is_overdue(report: Report, now: Any = None) -> bool:
    """The same rule as `overdue_q`, for one loaded report."""
    now = now or utcnow()
    limit = SLA.get(report.priority)
    return bool(
        limit and report.status == ReportStatus.AWAITING_TRIAGE and report.received_at < now - limit
    )


def report_worklog(*, report: Report) -> dict[str, Any]:
    """The notes, referrals and escalations of one report, for its page (3 queries)."""
    return {
        "notes": list(ReportNote.objects.filter(report=report).select_related("author")),
        "referrals": list(
            Referral.objects.filter(report=report).select_related("partner", "created_by")
        ),
        "escalations": list(
            Escalation.objects.filter(report=report).select_related("raised_by", "acknowledged_by")
        ),
    }


def partner_queues() -> QuerySet[RegionalCommand]:
    """The partner queues a report can be referred to."""
    return RegionalCommand.objects.filter(kind=CommandKind.PARTNER).order_by("name")


def open_escalations_for_user(*, user: Viewer) -> QuerySet[Escalation]:
    """Open escalations on reports in the user's scope, oldest first."""
    return (
        Escalation.objects.filter(state=EscalationState.OPEN, report__in=reports_visible_to(user))
        .select_related("report", "raised_by", "report__routed_command")
        .order_by("raised_at")
    )


def escalation_get_for_user(*, user: Viewer, pk: int) -> Escalation:
    """One escalation on a report the user may see; 404 otherwise."""
    found = (
        Escalation.objects.filter(pk=pk, report__in=reports_visible_to(user))
        .select_related("report")
        .first()
    )
    if found is None:
        raise Http404("No such escalation.")
    return found


def cluster_reports_for_user(
    *, report: Report, user: Viewer, limit: int = 50
) -> tuple[list[Report], int, int]:
    """Other reports of the cluster the user may see, their count, and the count hidden."""
    if report.cluster_id is None:
        return [], 0, 0
    members = Report.objects.filter(cluster_id=report.cluster_id).exclude(pk=report.pk)
    visible = reports_visible_to(user).filter(cluster_id=report.cluster_id).exclude(pk=report.pk)
    shown = list(
        visible.only("reference", "received_at", "priority", "status", "incident_type").order_by(
            "-received_at"
        )[:limit]
    )
    total_visible = visible.count()
    return shown, total_visible, members.count() - total_visible


SUPERVISOR_ROLES = ("supervisor", "administrator")


def supervisors_for_report(*, report: Report) -> list[Any]:
    """Active supervisors who can see the report: its command's, and national ones."""
    users = get_user_model().objects.filter(is_active=True, role__in=SUPERVISOR_ROLES)
    scoped = Q(is_national=True)
    if report.routed_command_id is not None:
        scoped |= Q(commands=report.routed_command_id)
    return list(users.filter(scoped).distinct())


def notifications_for_user(*, user: User, limit: int = 50) -> list[Notification]:
    """The user's newest notifications on reports they can still see (one query)."""
    return list(
        Notification.objects.filter(recipient=user, report__in=reports_visible_to(user))
        .select_related("report")
        .order_by("-created_at", "-pk")[:limit]
    )


def unread_notification_count(*, user: User) -> int:
    """How many of the user's notifications are unread, for the badge."""
    return Notification.objects.filter(
        recipient=user, read_at__isnull=True, report__in=reports_visible_to(user)
    ).count()
