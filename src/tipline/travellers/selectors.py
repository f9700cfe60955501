"""Reads of travel notices, and the one access check for the notice kind.

TLP:AMBER: a notice is seen by the national desk (national users, and members of the national
desk command) and by its destination command, nobody else; missing and forbidden both raise 404.
A candidate's report is shown only when the user may see that report on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import QuerySet
from django.http import Http404

from tipline.accounts.selectors import command_ids_for
from tipline.accounts.types import Viewer
from tipline.common.time import utcnow
from tipline.geo.models import RegionalCommand
from tipline.reports.models import Report
from tipline.reports.selectors import reports_visible_to
from tipline.travellers.choices import NoticeStatus
from tipline.travellers.models import Confirmation, Notice, NoticeCandidate, NoticeEvent
from tipline.triage.routing import NATIONAL_DESK

# The queue: notices still to be acted on, ordered by arrival.
QUEUE_STATUSES = (NoticeStatus.RECEIVED, NoticeStatus.ASSIGNED, NoticeStatus.MONITORING)
HIGHLIGHT_HOURS = 48


def _desk_ids() -> set[int]:
    return set(RegionalCommand.objects.filter(code=NATIONAL_DESK).values_list("pk", flat=True))


def is_national_desk(user: Viewer) -> bool:
    """National users and members of the national desk command."""
    scope = command_ids_for(user)
    return scope is None or bool(scope & _desk_ids())


def notices_visible_to(user: Viewer) -> QuerySet[Notice]:
    """The notices a staff user may see: all for the national desk, else their commands'."""
    scope = command_ids_for(user)
    if scope is None or scope & _desk_ids():
        return Notice.objects.all()
    return Notice.objects.filter(command_id__in=scope)


def notice_get_for_user(*, user: Viewer, reference: str) -> Notice:
    """One notice by reference, if the user may see it; else 404."""
    try:
        return (
            notices_visible_to(user)
            .select_related("command", "destination_state", "created_by", "case")
            .get(reference=reference)
        )
    except Notice.DoesNotExist:
        raise Http404("No such notice.") from None


@dataclass(frozen=True)
class QueueRow:
    notice: Notice
    soon: bool  # arriving within 48 hours


def notice_queue_for_user(*, user: Viewer, command: str = "", limit: int = 200) -> list[QueueRow]:
    """Notices to act on, by arrival time (those arriving within 48 h marked), optionally of one
    command; the stays still running and the arrivals to come first."""
    now = utcnow()
    qs = notices_visible_to(user).filter(status__in=QUEUE_STATUSES)
    qs = qs.filter(arrival_at__gte=now - timedelta(days=60))
    if command:
        qs = qs.filter(command__code=command)
    rows = qs.select_related("command", "destination_state").order_by("arrival_at", "pk")[:limit]
    return [QueueRow(n, n.arrives_within(now, HIGHLIGHT_HOURS)) for n in rows]


def notice_timeline(*, notice: Notice) -> QuerySet[NoticeEvent]:
    return notice.events.select_related("actor").order_by("-at", "-pk")


def notice_candidates_for_user(
    *, user: Viewer, notice: Notice
) -> tuple[list[NoticeCandidate], int]:
    """The notice's candidates, most likely first: those from reports the user may see and all
    case or guest candidates shown, the rest counted."""
    rows = list(
        notice.candidates.select_related(
            "report", "case_person", "manifest_row__manifest__place"
        ).order_by("-probability", "pk")[:50]
    )
    report_ids = {r.report_id for r in rows if r.report_id}
    visible = set(reports_visible_to(user).filter(pk__in=report_ids).values_list("pk", flat=True))
    shown = [r for r in rows if r.report_id is None or r.report_id in visible]
    return shown, len(rows) - len(shown)


def candidate_get_for_user(*, user: Viewer, notice: Notice, candidate_id: int) -> NoticeCandidate:
    """One candidate of a notice the user may see (checked by the caller); else 404."""
    shown, _ = notice_candidates_for_user(user=user, notice=notice)
    for row in shown:
        if row.pk == candidate_id:
            return row
    raise Http404("No such candidate.")


def notice_confirmations(*, notice: Notice) -> QuerySet[Confirmation]:
    return notice.confirmations.order_by("-at")


def unmatched_confirmations_for_user(*, user: Viewer, limit: int = 50) -> list[Confirmation]:
    """Border confirmations that matched no notice: the national desk's to look at."""
    if not is_national_desk(user):
        return []
    rows = Confirmation.objects.filter(notice__isnull=True).order_by("-received_at")
    return list(rows[:limit])


def report_notice_candidates_for_user(*, user: Viewer, report: Report) -> list[NoticeCandidate]:
    """The notices a report's people may be, for the report page: only notices the user sees."""
    notices = notices_visible_to(user)
    rows = NoticeCandidate.objects.filter(report=report, notice__in=notices)
    return list(rows.select_related("notice").order_by("-probability")[:10])
