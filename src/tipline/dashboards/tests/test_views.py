from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.common.time import utcnow
from tipline.conftest import login
from tipline.dashboards.tests.conftest import today
from tipline.reports.choices import CloseReason
from tipline.reports.models import Report
from tipline.triage.services import report_close

URL = "/console/dashboards/"


def _rows(response: Any) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def _csv(client: Client, table: str, **params: str) -> Any:
    return client.get(URL, {"format": "csv", "table": table, **params})


def _map_counts(page: str) -> dict[str, int]:
    """State code to count, as drawn on the map (the <title> of each state's path)."""
    drawn = re.findall(r'data-state="(\w\w)"><title>[^:]+: (\d+) report', page)
    return {code: int(n) for code, n in drawn}


@pytest.fixture
def national(make_user: Callable[..., User]) -> User:
    return make_user(Role.SUPERVISOR, (), national=True)


def test_dashboards_need_login(geo: Any) -> None:
    for params in ({}, {"format": "csv", "table": "volume_by_type"}):
        response = Client().get(URL, params)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _period() -> str:
    start = today() - timedelta(days=89)
    return f"received_from={start.isoformat()}&amp;received_to={today().isoformat()}"


def test_page_draws_every_state_with_its_count_and_a_search_link(
    national: User, report_in: Callable[..., Report]
) -> None:
    report_in("LA"), report_in("LA"), report_in("KN")
    response = login(national).get(URL)
    page = response.content.decode()
    counts = _map_counts(page)
    assert response.status_code == 200
    assert len(counts) == 37 and counts["LA"] == 2 and counts["KN"] == 1 and counts["OY"] == 0
    assert f'href="{reverse("search:search")}?state=LA&amp;{_period()}"' in page
    assert "Lagos: 2 reports" in page and "CC BY 4.0" in page
    embedded = re.search(r'id="dashboard-charts"[^>]*>(.*?)</script>', page, re.S)
    assert embedded is not None
    charts = json.loads(embedded[1])
    assert [c["name"] for c in charts] == [
        "volume_by_type",
        "volume_by_channel",
        "volume_by_platform",
        "time_to_triage",
        "open_workload",
        "priority_mix",
    ]


def test_state_links_keep_the_chosen_incident_type(
    national: User, report_in: Callable[..., Report]
) -> None:
    report_in("KN")
    page = login(national).get(URL, {"type": "forced_begging"}).content.decode()
    assert f"?state=KN&amp;{_period()}&amp;incident_type=forced_begging" in page


def test_a_state_link_finds_every_report_the_map_counts_closed_ones_included(
    national: User, report_in: Callable[..., Report]
) -> None:
    open_one, closed = report_in("LA"), report_in("LA")
    report_in("KN")
    old = report_in("LA", received_at=utcnow() - timedelta(days=120))  # before the period
    report_close(report=closed, reason=CloseReason.INFORMATIONAL, actor=national)
    client = login(national)
    page = client.get(URL).content.decode()
    link = re.search(r'<a href="([^"]+)" aria-label="Lagos:', page)
    assert link is not None and _map_counts(page)["LA"] == 2
    results = client.get(html.unescape(link[1])).content.decode()
    found = set(re.findall(r"TL-\d{4}-\d{6}", results))
    assert found == {open_one.reference, closed.reference}
    assert old.reference not in results


def test_kano_analyst_never_counts_lagos_reports_on_the_map_or_in_csv(
    kano_analyst: User, report_in: Callable[..., Report]
) -> None:
    report_in("LA"), report_in("LA"), report_in("KN")
    client = login(kano_analyst)
    page = client.get(URL).content.decode()
    assert _map_counts(page)["LA"] == 0 and sum(_map_counts(page).values()) == 1
    by_state = {row[1]: row[2] for row in _rows(_csv(client, "reports_by_state"))[1:]}
    assert by_state["LA"] == "0" and by_state["KN"] == "1"
    totals = [row[-1] for row in _rows(_csv(client, "volume_by_channel"))[1:]]
    assert sum(map(int, totals)) == 1
    workload = _rows(_csv(client, "open_workload"))
    assert [row[0] for row in workload[1:]] == ["Kano Zonal Command"]


def test_csv_export_has_a_header_a_filename_and_the_page_figures(
    national: User, report_in: Callable[..., Report]
) -> None:
    report_in("LA"), report_in("KN")
    start = (today() - timedelta(days=6)).isoformat()
    response = _csv(login(national), "volume_by_type", **{"from": start, "to": today().isoformat()})
    rows = _rows(response)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="tipline-volume_by_type-{start}-to-{today()}.csv"'
    )
    assert rows[0] == ["Day", "Forced begging", "Total"] and len(rows) == 8
    assert rows[-1] == [today().isoformat(), "2", "2"]


def test_csv_cells_that_a_spreadsheet_would_run_are_quoted(
    national: User, report_in: Callable[..., Report]
) -> None:
    for platform in ('=HYPERLINK("http://example.invalid")', "+1", "-cmd", "@SUM(A1)"):
        report_in("LA", platform=platform)
    header = _rows(_csv(login(national), "volume_by_platform"))[0]
    assert set(header[1:-1]) == {
        '\'=HYPERLINK("http://example.invalid")',
        "'+1",
        "'-cmd",
        "'@SUM(A1)",
    }


def test_export_is_audited(national: User) -> None:
    _csv(login(national), "priority_mix")
    event = AuditEvent.objects.get(action="dashboard.exported")
    assert event.actor_id == national.pk and event.object_id == "priority_mix"


@pytest.mark.parametrize(
    "params",
    [
        {"from": "not-a-date"},
        {"to": "2026-02-30"},
        {"from": "2026-03-10", "to": "2026-03-01"},
        {"from": "0001-01-01"},
        {"to": "9999-12-31"},
        {"from": "2020-01-01", "to": "2025-01-01"},
        {"type": "no_such_type"},
    ],
)
def test_bad_filters_are_form_errors_not_server_errors(
    national: User, params: dict[str, str]
) -> None:
    client = login(national)
    page = client.get(URL, params)
    export = _csv(client, "volume_by_type", **params)
    assert page.status_code == 400 and 'role="alert"' in page.content.decode()
    assert export.status_code == 400 and export["Content-Type"].startswith("text/plain")


def test_unknown_export_table_or_format_is_404(national: User) -> None:
    client = login(national)
    assert _csv(client, "no_such_table").status_code == 404
    assert client.get(URL, {"format": "xlsx", "table": "priority_mix"}).status_code == 404


def test_only_get_is_allowed(national: User) -> None:
    assert login(national).post(URL).status_code == 405


def _queries(client: Client, **params: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(URL, params).status_code == 200
    return len(ctx.captured_queries)


def test_page_query_count_is_fixed_whatever_the_data(
    national: User, report_in: Callable[..., Report]
) -> None:
    client = login(national)
    client.get(URL)  # the first request settles the session
    empty = _queries(client)
    for state in ("LA", "KN", "OY", None):
        report_in(state, platform=f"Platform {state}")
    # Session and user; one query per table, plus the state names; the session's save (3, with
    # its savepoint); the header's unread-notification badge; the places of concern by state.
    # A national user's scope needs no query of its own.
    assert _queries(client) == empty == 2 + 7 + 1 + 3 + 1 + 1
    assert _queries(client, **{"from": "2025-01-01", "to": "2026-06-30"}) == empty


def test_user_of_no_command_sees_only_zeros(
    make_user: Callable[..., User], report_in: Callable[..., Report]
) -> None:
    report_in("LA")
    nobody = make_user(Role.ANALYST, ())
    client = login(nobody)
    page = client.get(URL)
    assert page.status_code == 200 and set(_map_counts(page.content.decode()).values()) == {0}
    assert _rows(_csv(client, "time_to_triage"))[-1][1:4] == ["0", "0", "0"]
