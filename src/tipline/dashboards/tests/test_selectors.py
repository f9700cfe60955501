from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from freezegun import freeze_time

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.common.time import utcnow
from tipline.dashboards.selectors import (
    DashboardFilters,
    Table,
    dashboard_tables,
    default_filters,
    period_buckets,
)
from tipline.dashboards.tests.conftest import submit, today
from tipline.reports.models import Report
from tipline.reports.services import report_set_priority
from tipline.triage.services import report_assign, report_close


def _column(table: Table, heading: str) -> dict[Any, Any]:
    index = table.columns.index(heading)
    return {row[0]: row[index] for row in table.rows}


def _by_state(table: Table) -> dict[Any, Any]:
    return {row[1]: row[2] for row in table.rows}


@pytest.fixture
def national(make_user: Callable[..., User]) -> User:
    return make_user(Role.SUPERVISOR, (), national=True)


def test_counts_per_state_cover_the_period_and_type_only(
    national: User, report_in: Callable[..., Report], last_30_days: DashboardFilters
) -> None:
    report_in("LA"), report_in("LA"), report_in("KN"), report_in(None)
    report_in("LA", incident_type="labour_exploitation")
    report_in("LA", received_at=utcnow() - timedelta(days=60))
    every_type = dashboard_tables(user=national, filters=last_30_days)["reports_by_state"]
    begging = DashboardFilters(last_30_days.start, last_30_days.end, "forced_begging")
    one_type = dashboard_tables(user=national, filters=begging)["reports_by_state"]
    assert _by_state(every_type) == {
        **dict.fromkeys(_by_state(every_type), 0),
        "LA": 3,
        "KN": 1,
        "": 1,
    }
    assert _by_state(one_type)["LA"] == 2 and _by_state(one_type)["KN"] == 1
    assert len(every_type.rows) == 38  # 36 states, the FCT, and "not located"


def test_kano_analyst_counts_only_kano_reports(
    make_user: Callable[..., User], report_in: Callable[..., Report], last_30_days: DashboardFilters
) -> None:
    kano = make_user(Role.ANALYST, ("KAN",))
    report_in("LA"), report_in("KN"), report_in("KD")
    tables = dashboard_tables(user=kano, filters=last_30_days)
    assert _by_state(tables["reports_by_state"])["LA"] == 0
    assert sum(_by_state(tables["reports_by_state"]).values()) == 2
    assert sum(_column(tables["volume_by_type"], "Total").values()) == 2
    assert [row[0] for row in tables["open_workload"].rows] == ["Kano Zonal Command"]
    assert sum(_column(tables["priority_mix"], "Reports").values()) == 2
    assert sum(_column(tables["time_to_triage"], "Received").values()) == 2


def test_volumes_are_counted_per_week_with_empty_weeks_as_zero(
    national: User, report_in: Callable[..., Report]
) -> None:
    report_in("LA", channel="sms", platform="Example Chat")
    report_in("LA", channel="web", received_at=utcnow() - timedelta(days=50))
    filters = default_filters()
    tables = dashboard_tables(user=national, filters=filters)
    by_type = tables["volume_by_type"]
    assert by_type.columns == ("Week starting", "Forced begging", "Total")
    assert [row[0] for row in by_type.rows] == [
        d.isoformat() for d in period_buckets(filters, by_day=False)
    ]
    assert sum(_column(by_type, "Total").values()) == 2
    assert sorted(_column(by_type, "Total").values())[-2:] == [1, 1]
    assert set(tables["volume_by_channel"].columns[1:-1]) == {"Public web form", "SMS"}
    assert set(tables["volume_by_platform"].columns[1:-1]) == {"Example Chat", "Not given"}


def test_short_periods_are_counted_per_day(
    national: User, report_in: Callable[..., Report]
) -> None:
    report_in("LA")
    week = DashboardFilters(start=today() - timedelta(days=6), end=today())
    table = dashboard_tables(user=national, filters=week, names=["volume_by_channel"])
    rows = table["volume_by_channel"].rows
    assert table["volume_by_channel"].columns[0] == "Day" and len(rows) == 7
    assert rows[-1][0] == today().isoformat() and rows[-1][-1] == 1


def test_platforms_past_the_top_eight_fold_into_other(
    national: User, report_in: Callable[..., Report], last_30_days: DashboardFilters
) -> None:
    for i in range(10):
        report_in("LA", platform=f"Platform {i:02}")
    report_in("LA", platform="Platform 00")
    table = dashboard_tables(user=national, filters=last_30_days, names=["volume_by_platform"])
    columns = table["volume_by_platform"].columns
    assert columns[1] == "Platform 00" and columns[-2:] == ("Other platforms", "Total")
    assert len(columns) == 1 + 8 + 1 + 1
    assert sum(_column(table["volume_by_platform"], "Other platforms").values()) == 2


def test_time_to_triage_is_hours_from_storage_to_first_triage_decision(
    national: User, lagos_analyst: User, make_user: Callable[..., User]
) -> None:
    start = utcnow().replace(hour=8, minute=0, second=0, microsecond=0) - timedelta(days=3)
    reports = []
    with freeze_time(start):
        reports = [submit("LA") for _ in range(4)]
    for hours, report in zip([1, 2, 10], reports, strict=False):
        with freeze_time(start + timedelta(hours=hours)):
            report_assign(report=report, assignee=lagos_analyst, actor=lagos_analyst)
    with freeze_time(start + timedelta(hours=30)):  # a later decision does not count again
        report_close(report=reports[0], reason="informational", actor=lagos_analyst)
    filters = DashboardFilters(start=start.date() - timedelta(days=1), end=start.date())
    table = dashboard_tables(user=national, filters=filters, names=["time_to_triage"])
    (week,) = [row for row in table["time_to_triage"].rows if row[1]]
    assert week[1:] == (4, 3, 1, 2.0, 8.4)  # median of 1, 2, 10 h; p90 interpolated 2 + 0.8 * 8


def test_open_workload_counts_open_reports_per_command_and_priority(
    national: User, report_in: Callable[..., Report], lagos_analyst: User
) -> None:
    first, second, _ = report_in("LA"), report_in("LA"), report_in("KN")
    report_set_priority(report=first, priority="P1", reasons=["invented"])
    report_set_priority(report=second, priority="P3", reasons=["invented"])
    report_close(report=report_in("LA"), reason="informational", actor=lagos_analyst)
    old = report_in("OY", received_at=utcnow() - timedelta(days=400))
    long_ago = DashboardFilters(start=date(2001, 1, 1), end=date(2001, 1, 2))
    table = dashboard_tables(user=national, filters=long_ago, names=["open_workload"])
    rows = {row[0]: row for row in table["open_workload"].rows}
    assert rows["Lagos Zonal Command"][1] == 1 and rows["Lagos Zonal Command"][3] == 1
    assert rows["Lagos Zonal Command"][-1] == 3  # two above, and the old Oyo one; not the closed
    assert rows["Kano Zonal Command"][-1] == 1 and old.status == "awaiting_triage"


def test_priority_mix_shares_add_up(
    national: User, report_in: Callable[..., Report], last_30_days: DashboardFilters
) -> None:
    reports = [report_in("LA") for _ in range(4)]
    for report, priority in zip(reports, ["P1", "P2", "P2", "P4"], strict=True):
        report_set_priority(report=report, priority=priority, reasons=["invented"])
    table = dashboard_tables(user=national, filters=last_30_days, names=["priority_mix"])
    assert table["priority_mix"].rows == (
        ("P1", 1, 25.0),
        ("P2", 2, 50.0),
        ("P3", 0, 0.0),
        ("P4", 1, 25.0),
        ("Not prioritised", 0, 0.0),
    )


def test_default_period_is_the_last_90_days_today_included() -> None:
    filters = default_filters(date(2026, 3, 31))
    assert (filters.start, filters.end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert filters.since.isoformat() == "2026-01-01T00:00:00+01:00"
    assert filters.until.isoformat() == "2026-04-01T00:00:00+01:00"


def test_week_buckets_start_on_the_monday_of_the_first_day() -> None:
    filters = DashboardFilters(start=date(2026, 3, 4), end=date(2026, 3, 16))
    assert period_buckets(filters, by_day=False) == [
        date(2026, 3, 2),
        date(2026, 3, 9),
        date(2026, 3, 16),
    ]
