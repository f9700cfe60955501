"""Reads of the public statistics: the raw counts a release protects, and the published release.

The raw counts live only in memory while a release is computed; they are never stored or shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.http import Http404
from django.utils.translation import gettext_noop

from tipline.accounts.choices import NATIONAL_ROLES
from tipline.accounts.models import User
from tipline.accounts.types import Viewer
from tipline.cases.choices import PersonRole as CaseRole
from tipline.cases.models import Case, CaseInvolvement
from tipline.common.time import WAT
from tipline.publicstats.choices import ReleaseStatus
from tipline.publicstats.differencing import Published
from tipline.publicstats.models import StatsRelease
from tipline.reports.choices import CloseReason, IncidentType, PersonRole
from tipline.reports.models import Person, Report

Counts = dict[int, dict[str, int]]
AGE_BANDS = ((0, 11, "0-11"), (12, 14, "12-14"), (15, 17, "15-17"), (18, 25, "18-25"))
SEXES = {"f": gettext_noop("female"), "m": gettext_noop("male")}
SEX_UNKNOWN = gettext_noop("sex unknown")


def age_band(age: int | None) -> str:
    """The published age band of an age (unknown when none was given)."""
    if age is None:
        return gettext_noop("age unknown")
    for low, high, label in AGE_BANDS:
        if low <= age <= high:
            return label
    return gettext_noop("26 and over")


def _tally(pairs: Iterable[tuple[datetime, str]]) -> Counts:
    counts: Counts = defaultdict(lambda: defaultdict(int))
    for at, label in pairs:
        counts[at.astimezone(WAT).year][label] += 1
    return {year: dict(row) for year, row in counts.items()}


def _quarter(at: datetime) -> str:
    return f"Q{(at.astimezone(WAT).month - 1) // 3 + 1}"


def _type(value: str) -> str:
    return str(IncidentType(value).label) if value in IncidentType.values else value


def raw_counts(*, until: datetime) -> dict[str, Counts]:
    """Every table's counts by year and category, of records before `until` (duplicates, being
    the same report twice, are not counted)."""
    reports = Report.objects.filter(received_at__lt=until).exclude(
        closed_reason=CloseReason.DUPLICATE
    )
    rows = list(reports.values_list("received_at", "state__name", "incident_type"))
    victims = Person.objects.filter(role=PersonRole.VICTIM, report__in=reports)
    involved = CaseInvolvement.objects.filter(
        role=CaseRole.VICTIM, case__opened_at__lt=until
    ).select_related("person", "case")
    cases = Case.objects.filter(opened_at__lt=until).values_list("opened_at", "command__name")
    return {
        "reports_by_quarter": _tally((at, _quarter(at)) for at, _, _ in rows),
        "reports_by_state": _tally(
            (at, state or gettext_noop("state unknown")) for at, state, _ in rows
        ),
        "reports_by_type": _tally((at, _type(kind)) for at, _, kind in rows),
        "victims_by_exploitation": _tally(
            (at, _type(kind))
            for at, kind in victims.values_list("report__received_at", "report__incident_type")
        ),
        "victims_by_age_sex": _tally(
            (
                i.case.opened_at,
                f"{age_band(i.person.age)}, {SEXES.get(i.person.sex, SEX_UNKNOWN)}",
            )
            for i in involved
        ),
        "cases_by_command": _tally((at, name or gettext_noop("no command")) for at, name in cases),
    }


def release_published() -> StatsRelease | None:
    """The last approved release: what the public page shows (None before the first)."""
    return (
        StatsRelease.objects.filter(status=ReleaseStatus.APPROVED)
        .order_by("-approved_at", "-pk")
        .select_related("approved_by")
        .first()
    )


def releases_published_ever() -> list[Published]:
    """Every release that has been public (approved, even if withdrawn since): what a reader may
    hold and compare a new release with."""
    rows = StatsRelease.objects.filter(approved_at__isnull=False).values_list(
        "pk", "tables", "status"
    )
    return [
        Published(pk=pk, tables=tables, approved_now=status == ReleaseStatus.APPROVED)
        for pk, tables, status in rows
    ]


def _reviewer(user: Viewer) -> None:
    if not isinstance(user, User) or not user.is_active or user.role not in NATIONAL_ROLES:
        raise Http404("No such page.")


def releases_for_user(user: Viewer) -> list[StatsRelease]:
    """The releases a supervisor or an administrator reviews, newest first; 404 for anyone else
    (the one access check of releases)."""
    _reviewer(user)
    return list(StatsRelease.objects.select_related("computed_by", "approved_by")[:50])


def release_get_for_user(user: Viewer, pk: int) -> StatsRelease:
    """One release for review; missing and forbidden are the same 404."""
    _reviewer(user)
    release = (
        StatsRelease.objects.select_related("computed_by", "approved_by").filter(pk=pk).first()
    )
    if release is None:
        raise Http404("No such release.")
    return release
