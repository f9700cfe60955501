"""The figures behind the dashboards, aggregated by the database.

Every figure starts from `reports_visible_to(user)`, so a command's dashboards count only the
reports routed to it. Periods are whole days in West Africa Time, the zone the console shows, and
select reports by when they were received. Each table is one GROUP BY query over indexed columns;
Python only pivots the few grouped rows into a table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncDay, TruncWeek

from tipline.accounts.types import Viewer
from tipline.common.time import WAT, utcnow
from tipline.dashboards.aggregates import Percentile
from tipline.geo.models import State
from tipline.reports.choices import Channel, IncidentType, Priority
from tipline.reports.models import Report
from tipline.reports.selectors import reports_visible_to
from tipline.triage.selectors import OPEN_STATUSES

DEFAULT_DAYS = 90
DAILY_BELOW_DAYS = 31  # shorter periods are counted per day, longer ones per week
TOP_PLATFORMS = 8
NOT_GIVEN = "Not given"

Cell = str | int | float | None


@dataclass(frozen=True)
class DashboardFilters:
    """A period of whole days in WAT (both ends included) and optionally one incident type."""

    start: date
    end: date
    incident_type: str = ""

    @property
    def since(self) -> datetime:
        """The first instant of the period."""
        return datetime.combine(self.start, time.min, tzinfo=WAT)

    @property
    def until(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=WAT)

    @property
    def by_day(self) -> bool:
        """Whether volumes are counted per day (short periods) rather than per week."""
        return (self.end - self.start).days < DAILY_BELOW_DAYS


def default_filters(today: date | None = None) -> DashboardFilters:
    """The last 90 days, today (WAT) included, every incident type."""
    end = today or utcnow().astimezone(WAT).date()
    return DashboardFilters(start=end - timedelta(days=DEFAULT_DAYS - 1), end=end)


@dataclass(frozen=True)
class Table:
    """One dashboard table: what the page shows, the chart draws and the CSV export writes."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def reports_in_period(scope: QuerySet[Report], filters: DashboardFilters) -> QuerySet[Report]:
    """Reports of `scope` received in the period, of the chosen type if any."""
    qs = scope.filter(received_at__gte=filters.since, received_at__lt=filters.until)
    if filters.incident_type:
        qs = qs.filter(incident_type=filters.incident_type)
    return qs.order_by()  # no ORDER BY: the Meta ordering only slows a GROUP BY down


# Reports by state (the map) ----------------------------------------------------------------------


def reports_by_state(scope: QuerySet[Report], filters: DashboardFilters) -> Table:
    """Every state and the FCT with its count, then the reports in no state (located abroad, or
    not located at all)."""
    counts = dict(
        reports_in_period(scope, filters).values_list("state__code").annotate(n=Count("pk"))
    )
    rows: list[tuple[Cell, ...]] = [
        (name, code, counts.get(code, 0))
        for code, name in State.objects.order_by("name").values_list("code", "name")
    ]
    rows.append(("Not located in a state", "", counts.get(None, 0)))
    return Table("reports_by_state", "Reports by state", ("State", "Code", "Reports"), tuple(rows))


# Volumes over time -------------------------------------------------------------------------------


def period_buckets(filters: DashboardFilters, *, by_day: bool) -> list[date]:
    """Every day, or every week (by its Monday), that the period touches, oldest first."""
    if by_day:
        return [
            filters.start + timedelta(days=i) for i in range((filters.end - filters.start).days + 1)
        ]
    first = filters.start - timedelta(days=filters.start.weekday())
    return [first + timedelta(days=i) for i in range(0, (filters.end - first).days + 1, 7)]


def _bucket(by_day: bool) -> TruncDay | TruncWeek:
    trunc = TruncDay if by_day else TruncWeek
    return trunc("received_at", tzinfo=WAT)


def _day(value: datetime) -> date:
    return value.astimezone(WAT).date()


def _ranked(
    totals: Counter[str], keep: int | None, other: str
) -> tuple[list[str], Callable[[str], str]]:
    """Series names by total, largest first; past `keep`, the rest fold into `other`."""
    names = [name for name, _ in totals.most_common()]
    if keep is None or len(names) <= keep:
        return names, lambda name: name
    kept = set(names[:keep])
    return [*names[:keep], other], lambda name: name if name in kept else other


def _pivot(
    grouped: Iterable[tuple[date, str, int]], buckets: list[date], keep: int | None, other: str
) -> tuple[list[str], list[tuple[Cell, ...]]]:
    grouped = list(grouped)
    totals: Counter[str] = Counter()
    for _, series, n in grouped:
        totals[series] += n
    names, fold = _ranked(totals, keep, other)
    cells: Counter[tuple[date, str]] = Counter()
    for bucket, series, n in grouped:
        cells[(bucket, fold(series))] += n
    rows: list[tuple[Cell, ...]] = []
    for bucket in buckets:
        counts = [cells[(bucket, name)] for name in names]
        rows.append((bucket.isoformat(), *counts, sum(counts)))
    return names, rows


def _volume(
    reports: QuerySet[Report],
    filters: DashboardFilters,
    field: str,
    label: Callable[[Any], str],
    keep: int | None = None,
    other: str = "Other",
) -> tuple[tuple[str, ...], tuple[tuple[Cell, ...], ...]]:
    grouped = (
        reports.annotate(bucket=_bucket(filters.by_day))
        .values_list("bucket", field)
        .annotate(n=Count("pk"))
    )
    labelled = ((_day(bucket), label(key), n) for bucket, key, n in grouped)
    buckets = period_buckets(filters, by_day=filters.by_day)
    names, rows = _pivot(labelled, buckets, keep, other)
    first = "Day" if filters.by_day else "Week starting"
    return (first, *names, "Total"), tuple(rows)


def _choice_label(choices: Any) -> Callable[[Any], str]:
    labels = dict(choices.choices)
    return lambda value: labels.get(value, value or NOT_GIVEN)


def volume_by_type(scope: QuerySet[Report], filters: DashboardFilters) -> Table:
    """Reports received per day or week, one column per incident type."""
    columns, rows = _volume(
        reports_in_period(scope, filters), filters, "incident_type", _choice_label(IncidentType)
    )
    return Table("volume_by_type", "Volume by incident type", columns, rows)


def volume_by_channel(scope: QuerySet[Report], filters: DashboardFilters) -> Table:
    """Reports received per day or week, one column per channel."""
    columns, rows = _volume(
        reports_in_period(scope, filters), filters, "channel", _choice_label(Channel)
    )
    return Table("volume_by_channel", "Volume by channel", columns, rows)


def volume_by_platform(scope: QuerySet[Report], filters: DashboardFilters) -> Table:
    """Reports received per day or week by the platform named, the largest eight then the rest."""
    columns, rows = _volume(
        reports_in_period(scope, filters),
        filters,
        "platform",
        lambda value: value or NOT_GIVEN,
        keep=TOP_PLATFORMS,
        other="Other platforms",
    )
    return Table("volume_by_platform", "Volume by platform", columns, rows)


# Time to triage ----------------------------------------------------------------------------------


def _hours(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 1)


def _weekly_triage_aggregates(weeks: list[date]) -> dict[str, Any]:
    aggregates: dict[str, Any] = {}
    for i, week in enumerate(weeks):
        since = datetime.combine(week, time.min, tzinfo=WAT)
        in_week = Q(received_at__gte=since, received_at__lt=since + timedelta(days=7))
        aggregates |= {
            f"received_{i}": Count("pk", filter=in_week),
            f"triaged_{i}": Count("took", filter=in_week),
            f"median_{i}": Percentile("took", 0.5, filter=in_week),
            f"p90_{i}": Percentile("took", 0.9, filter=in_week),
        }
    return aggregates


def time_to_triage(scope: QuerySet[Report], filters: DashboardFilters) -> Table:
    """Per week received: how many were triaged, how many wait, and the median and 90th
    percentile of the hours from being stored here (`created_at`) to the first triage decision.

    `created_at`, not `received_at`: a platform or partner may give an earlier receipt time of
    its own, and what we measure is how long the report waited here. Reports not yet triaged are
    left out of the percentiles and counted as waiting, so a recent week's figures can still rise.
    One query over the report's own `triaged_at`, which `report_transition` sets when a report
    first leaves `awaiting_triage` (and a migration backfilled from the audit log).
    """
    weeks = period_buckets(filters, by_day=False)
    took = ExpressionWrapper(F("triaged_at") - F("created_at"), output_field=DurationField())
    per_report = reports_in_period(scope, filters).annotate(took=took)
    figures = per_report.aggregate(**_weekly_triage_aggregates(weeks))
    rows: list[tuple[Cell, ...]] = []
    for i, week in enumerate(weeks):
        received, triaged = figures[f"received_{i}"], figures[f"triaged_{i}"]
        median, p90 = _hours(figures[f"median_{i}"]), _hours(figures[f"p90_{i}"])
        rows.append((week.isoformat(), received, triaged, received - triaged, median, p90))
    columns = (
        "Week starting",
        "Received",
        "Triaged",
        "Waiting",
        "Median hours",
        "90th percentile hours",
    )
    return Table("time_to_triage", "Time to triage", columns, tuple(rows))


# Workload and priority ---------------------------------------------------------------------------

PRIORITY_COLUMNS = (*Priority.values, "")


def _priority_heading(priority: str) -> str:
    return priority or "Not prioritised"


def open_workload(scope: QuerySet[Report], filters: DashboardFilters) -> Table:
    """Reports open now (received, processing, awaiting triage, assigned) per command and priority.

    Workload is a count of today's queues, so the period does not apply; the incident type does.
    """
    qs = scope.filter(status__in=OPEN_STATUSES).order_by()
    if filters.incident_type:
        qs = qs.filter(incident_type=filters.incident_type)
    grouped = qs.values_list("routed_command__name", "priority").annotate(n=Count("pk"))
    cells: Counter[tuple[str, str]] = Counter()
    for command, priority, n in grouped:
        cells[(command or "Not routed yet", priority)] += n
    commands = sorted(
        {c for c, _ in cells}, key=lambda c: (-sum(cells[(c, p)] for p in PRIORITY_COLUMNS), c)
    )
    rows: list[tuple[Cell, ...]] = []
    for command in commands:
        counts = [cells[(command, p)] for p in PRIORITY_COLUMNS]
        rows.append((command, *counts, sum(counts)))
    columns = ("Command", *map(_priority_heading, PRIORITY_COLUMNS), "Total")
    return Table("open_workload", "Open workload per command", columns, tuple(rows))


def priority_mix(scope: QuerySet[Report], filters: DashboardFilters) -> Table:
    """How the period's reports divide between P1 to P4 (and those not prioritised yet)."""
    counts = dict(reports_in_period(scope, filters).values_list("priority").annotate(n=Count("pk")))
    total = sum(counts.values())
    rows = [
        (
            _priority_heading(p),
            counts.get(p, 0),
            round(100 * counts.get(p, 0) / total, 1) if total else 0.0,
        )
        for p in PRIORITY_COLUMNS
    ]
    return Table("priority_mix", "Priority mix", ("Priority", "Reports", "Share %"), tuple(rows))


# All of it ---------------------------------------------------------------------------------------

TableBuilder = Callable[[QuerySet[Report], DashboardFilters], Table]
TABLES: dict[str, TableBuilder] = {
    "reports_by_state": reports_by_state,
    "volume_by_type": volume_by_type,
    "volume_by_channel": volume_by_channel,
    "volume_by_platform": volume_by_platform,
    "time_to_triage": time_to_triage,
    "open_workload": open_workload,
    "priority_mix": priority_mix,
}


def dashboard_tables(
    *, user: Viewer, filters: DashboardFilters, names: Iterable[str] = TABLES
) -> dict[str, Table]:
    """The named tables (all by default) over the reports `user` may see. Unknown names raise
    KeyError; the scope is read once and shared by every table."""
    scope = reports_visible_to(user)
    return {name: TABLES[name](scope, filters) for name in names}
