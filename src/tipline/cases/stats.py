"""The figures of the supervisors' case dashboard, over the cases a user may see.

Each count is one GROUP BY query; Python only pivots the grouped rows, and computes the two
medians from dates (a few per case), which keeps them the same on SQLite and PostgreSQL.

A period (`since`, a day in West Africa Time) counts what happened in it: victims added,
rescues, referrals and outcomes dated in it, and the timings of the cases opened in it. Open
cases are those open now, whatever the period.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, Min, QuerySet

from tipline.accounts.types import Viewer
from tipline.cases.choices import (
    ACTIVE_STATUSES,
    CaseStatus,
    OutcomeKind,
    PersonRole,
    ReferralDirection,
    ServiceKind,
)
from tipline.cases.models import Case, CaseInvolvement, CaseOutcome, Referral
from tipline.cases.selectors import cases_visible_to
from tipline.common.time import WAT

Cell = str | int | float | None


@dataclass(frozen=True)
class StatTable:
    """One table of the dashboard: what the page shows, the chart draws and the CSV holds."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


def _open_by_command(cases: QuerySet[Case]) -> StatTable:
    statuses = [s for s in CaseStatus if s in ACTIVE_STATUSES]
    grouped = (
        cases.filter(status__in=statuses)
        .values_list("command__name", "status")
        .annotate(n=Count("pk"))
        .order_by("command__name")
    )
    counts: dict[str, dict[str, int]] = {}
    for command, status, n in grouped:
        counts.setdefault(command, {})[status] = n
    rows: list[tuple[Cell, ...]] = [
        (command, *(by.get(s, 0) for s in statuses), sum(by.values()))
        for command, by in sorted(counts.items())
    ]
    columns = ("Command", *(CaseStatus(s).label for s in statuses), "Total")
    return StatTable("open_cases", "Open cases by command and status", columns, rows)


def _victims(cases: QuerySet[Case], since: date | None) -> StatTable:
    victims = CaseInvolvement.objects.filter(case__in=cases, role=PersonRole.VICTIM)
    rescues = CaseOutcome.objects.filter(case__in=cases, kind=OutcomeKind.RESCUE)
    if since is not None:
        victims = victims.filter(added_at__gte=_start_of(since))
        rescues = rescues.filter(occurred_on__gte=since)
    identified = dict(
        victims.values_list("case__command__name").annotate(n=Count("person", distinct=True))
    )
    rescued = dict(
        rescues.values_list("case__command__name").annotate(
            n=Count("involvement__person", distinct=True)
        )
    )
    rows: list[tuple[Cell, ...]] = [
        (command, identified.get(command, 0), rescued.get(command, 0))
        for command in sorted(set(identified) | set(rescued))
    ]
    return StatTable(
        "victims", "Victims identified and rescued", ("Command", "Identified", "Rescued"), rows
    )


def _referrals(cases: QuerySet[Case], since: date | None) -> StatTable:
    referrals = Referral.objects.filter(case__in=cases)
    if since is not None:
        referrals = referrals.filter(referred_on__gte=since)
    grouped = referrals.values_list("service", "direction").annotate(n=Count("pk"))
    counts: dict[tuple[str, str], int] = {(s, d): n for s, d, n in grouped}
    rows: list[tuple[Cell, ...]] = []
    for service in ServiceKind:
        out = counts.get((service, ReferralDirection.OUTGOING), 0)
        came = counts.get((service, ReferralDirection.INCOMING), 0)
        rows.append((service.label, out, came, out + came))
    columns = ("Service", "Outgoing", "Incoming", "Total")
    return StatTable("referrals", "Referrals by service", columns, rows)


def _outcomes(cases: QuerySet[Case], since: date | None) -> StatTable:
    outcomes = CaseOutcome.objects.filter(case__in=cases)
    if since is not None:
        outcomes = outcomes.filter(occurred_on__gte=since)
    grouped = dict(outcomes.values_list("kind").annotate(n=Count("pk")))
    rows: list[tuple[Cell, ...]] = [(k.label, grouped.get(k, 0)) for k in OutcomeKind]
    return StatTable(
        "outcomes",
        "Outcomes (rescues, arrests, charges, convictions...)",
        ("Outcome", "Count"),
        rows,
    )


def _days(pairs: list[tuple[date, date]]) -> tuple[Cell, Cell, int]:
    days = sorted((later - earlier).days for earlier, later in pairs)
    if not days:
        return None, None, 0
    p90 = days[min(len(days) - 1, int(round(0.9 * (len(days) - 1))))]
    return round(statistics.median(days), 1), p90, len(days)


def _wat(at: datetime) -> date:
    return at.astimezone(WAT).date()


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=WAT)


def _timings(cases: QuerySet[Case], since: date | None) -> StatTable:
    if since is not None:
        cases = cases.filter(opened_at__gte=_start_of(since))
    opened = cases.annotate(first_report=Min("reports__received_at")).values_list(
        "pk", "opened_at", "first_report"
    )
    opened_on = {pk: _wat(at) for pk, at, _ in opened}
    to_case = [(_wat(first), _wat(at)) for _, at, first in opened if first is not None]
    charged = (
        CaseOutcome.objects.filter(case__in=cases, kind=OutcomeKind.CHARGE)
        .values_list("case_id")
        .annotate(first=Min("occurred_on"))
    )
    to_charge = [(opened_on[pk], first) for pk, first in charged if pk in opened_on]
    rows: list[tuple[Cell, ...]] = [
        ("Report received to case opened", *_days(to_case)),
        ("Case opened to first charge", *_days(to_charge)),
    ]
    columns = ("Interval", "Median days", "90th percentile days", "Cases")
    return StatTable("timings", "Time from report to case, and case to charge", columns, rows)


def case_dashboard_tables(*, user: Viewer, since: date | None = None) -> dict[str, StatTable]:
    """Every table of the case dashboard, over the cases `user` may see; with `since`, what
    happened from that day (WAT) on (open cases are always those open now)."""
    cases = cases_visible_to(user)
    tables = [_open_by_command(cases), _victims(cases, since), _referrals(cases, since)]
    tables += [_outcomes(cases, since), _timings(cases, since)]
    return {t.name: t for t in tables}
