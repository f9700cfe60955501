"""Reads of travel notices, and the one access check for the notice kind.

TLP:AMBER: a notice is seen by the national desk (national users, and members of the national
desk command) and by its destination command, nobody else; missing and forbidden both raise 404.
A candidate's report is shown only when the user may see that report on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from tipline.accounts.choices import NATIONAL_ROLES
from tipline.accounts.types import Viewer
from tipline.cases.models import CaseInvolvement
from tipline.cases.selectors import cases_visible_to
from tipline.common.time import utcnow
from tipline.geo.models import RegionalCommand, State
from tipline.reports.models import Report
from tipline.reports.selectors import reports_visible_to
from tipline.travellers.choices import NoticeStatus
from tipline.travellers.models import (
    Confirmation,
    Manifest,
    ManifestRow,
    Notice,
    NoticeCandidate,
    NoticeEvent,
    PlaceLink,
    PlaceOfConcern,
)
from tipline.triage.routing import NATIONAL_DESK

# The queue: notices still to be acted on, ordered by arrival.
QUEUE_STATUSES = (NoticeStatus.RECEIVED, NoticeStatus.ASSIGNED, NoticeStatus.MONITORING)
HIGHLIGHT_HOURS = 48


_SCOPE_ATTRIBUTE = "_travellers_scope"


def _scope(user: Viewer) -> set[int] | None:
    """The command ids whose notices and places the user sees, or None for all: national
    supervisors and administrators (as `command_ids_for`) and members of the national desk.
    One query, remembered on the user object for the rest of the request."""
    if _SCOPE_ATTRIBUTE in user.__dict__:
        remembered: set[int] | None = user.__dict__[_SCOPE_ATTRIBUTE]
        return remembered
    scope: set[int] | None = set()
    if getattr(user, "is_authenticated", False) and user.is_active:
        if user.is_national and user.role in NATIONAL_ROLES:
            scope = None
        else:
            rows = list(user.commands.values_list("pk", "code"))
            desk = any(code == NATIONAL_DESK for _, code in rows)
            scope = None if desk else {pk for pk, _ in rows}
    user.__dict__[_SCOPE_ATTRIBUTE] = scope
    return scope


def is_national_desk(user: Viewer) -> bool:
    """National users and members of the national desk command."""
    return _scope(user) is None


def notices_visible_to(user: Viewer) -> QuerySet[Notice]:
    """The notices a staff user may see: all for the national desk, else their commands'."""
    scope = _scope(user)
    if scope is None:
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


# Places of concern and manifests ---------------------------------------------------------------


def places_visible_to(user: Viewer) -> QuerySet[PlaceOfConcern]:
    """The places a staff user may see: all for the national desk, else those in the states of
    their commands (the command of a place's state keeps it, as it works its reports)."""
    scope = _scope(user)
    if scope is None:
        return PlaceOfConcern.objects.all()
    return PlaceOfConcern.objects.filter(state__command_id__in=scope)


def place_list_for_user(*, user: Viewer, state: str = "") -> list[PlaceRow]:
    """The user's places by state and name, with how many reports and notices name each."""
    qs = places_visible_to(user).select_related("state")
    if state:
        qs = qs.filter(state__code=state)
    qs = qs.annotate(
        reports=Count("links", filter=Q(links__report__isnull=False)),
        notices=Count("links", filter=Q(links__notice__isnull=False)),
    )
    return [PlaceRow(p, p.reports, p.notices) for p in qs.order_by("state__name", "name")[:500]]


@dataclass(frozen=True)
class PlaceRow:
    place: PlaceOfConcern
    reports: int
    notices: int


def place_get_for_user(*, user: Viewer, place_id: int) -> PlaceOfConcern:
    """One place, if the user may see it; else 404."""
    try:
        return places_visible_to(user).select_related("state", "created_by").get(pk=place_id)
    except PlaceOfConcern.DoesNotExist:
        raise Http404("No such place.") from None


@dataclass(frozen=True)
class PlaceEvent:
    """One line of a place's timeline: a report, a notice or a case that touches it."""

    at: datetime
    kind: str  # "report", "notice" or "case": the template links each to its page
    reference: str
    text: str


def _place_reports(user: Viewer, place: PlaceOfConcern) -> list[Report]:
    ids = place.links.filter(report__isnull=False).values("report_id")
    rows = reports_visible_to(user).filter(pk__in=ids).order_by("-received_at")[:200]
    return list(rows.only("pk", "reference", "received_at", "incident_type", "priority"))


def place_timeline_for_user(*, user: Viewer, place: PlaceOfConcern) -> list[PlaceEvent]:
    """The place's reports, notices and cases the user may see, newest first, on one line
    (three queries, whatever the number of rows)."""
    reports = _place_reports(user, place)
    events = [
        PlaceEvent(r.received_at, "report", r.reference,
                   f"Report: {r.get_incident_type_display()}, priority {r.priority or 'not set'}")
        for r in reports
    ]  # fmt: skip
    notice_ids = place.links.filter(notice__isnull=False).values("notice_id")
    for n in notices_visible_to(user).filter(pk__in=notice_ids).order_by("-arrival_at")[:200]:
        text = f"Travel notice: {n.full_name} arrives ({n.get_status_display().lower()})"
        events.append(PlaceEvent(n.arrival_at, "notice", n.reference, text))
    cases = cases_visible_to(user).filter(case_reports__report__in=[r.pk for r in reports])
    for case in cases.distinct().order_by("-opened_at")[:100]:
        events.append(PlaceEvent(case.opened_at, "case", case.reference, f"Case: {case.title}"))
    return sorted(events, key=lambda e: e.at, reverse=True)


def manifest_get_for_user(*, user: Viewer, place: PlaceOfConcern, manifest_id: int) -> Manifest:
    """One manifest of a place the user may see (checked by the caller); else 404."""
    try:
        return place.manifests.select_related("uploaded_by").get(pk=manifest_id)
    except Manifest.DoesNotExist:
        raise Http404("No such manifest.") from None


@dataclass(frozen=True)
class GuestRow:
    """A guest of a manifest and the notices (the user may see) they may be."""

    row: ManifestRow
    candidates: list[NoticeCandidate]


def manifest_matches_for_user(*, user: Viewer, manifest: Manifest) -> list[GuestRow]:
    """The manifest's guests that matched a notice the user sees, most likely first."""
    rows = NoticeCandidate.objects.filter(
        manifest_row__manifest=manifest, notice__in=notices_visible_to(user)
    ).select_related("notice", "manifest_row")
    by_guest: dict[int, GuestRow] = {}
    for candidate in rows.order_by("-probability", "pk"):
        guest = candidate.manifest_row
        if guest is not None:  # always, by the filter above
            by_guest.setdefault(guest.pk, GuestRow(guest, [])).candidates.append(candidate)
    return sorted(by_guest.values(), key=lambda g: -g.candidates[0].probability)


def place_manifests(*, place: PlaceOfConcern) -> QuerySet[Manifest]:
    return place.manifests.select_related("uploaded_by").order_by("-uploaded_at")[:20]


def report_places_for_user(*, user: Viewer, report: Report) -> list[PlaceOfConcern]:
    """The places of concern a report names, for the report page (one query)."""
    links = PlaceLink.objects.filter(report=report).values("place_id")
    return list(places_visible_to(user).filter(pk__in=links).order_by("name"))


def candidate_cases_for_user(
    *, user: Viewer, candidates: list[NoticeCandidate]
) -> dict[int, list[str]]:
    """For each case-person candidate, the references of its cases the user may see (one
    query)."""
    people = {c.case_person_id: c.pk for c in candidates if c.case_person_id}
    found: dict[int, list[str]] = {}
    if not people:
        return found
    rows = CaseInvolvement.objects.filter(
        person_id__in=people, case__in=cases_visible_to(user)
    ).values_list("person_id", "case__reference")
    for person_id, reference in rows.order_by("case__reference"):
        found.setdefault(people[person_id], []).append(reference)
    return found


def state_choices_for_user(user: Viewer) -> list[tuple[str, str]]:
    """(code, name) of the states whose places the user keeps: all for the national desk."""
    scope = _scope(user)
    qs = State.objects.order_by("name")
    if scope is not None:
        qs = qs.filter(command_id__in=scope)
    return list(qs.values_list("code", "name"))


def commands_for_user(user: Viewer) -> list[tuple[str, str]]:
    """(code, name) of the commands whose notices the user may filter on."""
    scope = _scope(user)
    qs = RegionalCommand.objects.order_by("name")
    if scope is not None:
        qs = qs.filter(pk__in=scope)
    return list(qs.values_list("code", "name"))


# Feedback to senders ---------------------------------------------------------------------------

OUTCOME_COLUMNS = (
    "reference", "sender_agency", "sender_reference", "channel", "received_at", "arrival_at",
    "departure_at", "arrived_at", "departed_at", "status", "outcome", "command",
)  # fmt: skip


def notice_outcomes_for_user(*, user: Viewer) -> list[list[str]]:
    """One row a notice the user may see, for the senders' feedback: the sender's own reference,
    what we did and when the border saw the subject, no personal field (times in UTC)."""
    rows = notices_visible_to(user).select_related("command").order_by("received_at", "pk")
    return [
        [
            n.reference, n.sender_agency, n.sender_reference, n.channel,
            *(_utc(t) for t in (n.received_at, n.arrival_at, n.departure_at, n.arrived_at,
                                n.departed_at)),
            n.status, n.outcome, n.command.code,
        ]
        for n in rows.only(
            "reference", "sender_agency", "sender_reference", "channel", "received_at",
            "arrival_at", "departure_at", "arrived_at", "departed_at", "status", "outcome",
            "command__code",
        )
    ]  # fmt: skip


def _utc(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat() if value else ""


@dataclass(frozen=True)
class PlacesInState:
    """The places of concern of one state a user may see, and the reports naming them."""

    code: str
    name: str
    places: int
    reports: int


def places_by_state_for_user(
    *, user: Viewer, since: datetime, until: datetime
) -> list[PlacesInState]:
    """Per state with places the user may see: how many places, and how many of the reports the
    user may see that were received in [since, until) name one of them (the dashboards' layer)."""
    reports = reports_visible_to(user).filter(received_at__gte=since, received_at__lt=until)
    rows = (
        places_visible_to(user)
        .values("state__code", "state__name")
        .annotate(
            places=Count("pk", distinct=True),
            reports=Count("links__report", filter=Q(links__report__in=reports), distinct=True),
        )
        .order_by("state__name")
    )
    return [
        PlacesInState(r["state__code"], r["state__name"], r["places"], r["reports"]) for r in rows
    ]
