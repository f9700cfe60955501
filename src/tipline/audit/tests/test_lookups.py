"""Look-ups: recorded by the pages that answer them, in one INSERT a request, and found by a
supervisor on the look-up page, by person, kind, day (WAT), report or identifier in any format."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.audit.lookups import LookupMiddleware, lookup_event, lookup_note, lookups_record
from tipline.audit.models import LookupEvent, LookupKind
from tipline.conftest import login
from tipline.geo.models import RegionalCommand
from tipline.identifiers.models import Identifier
from tipline.search.tests.conftest import Submit, submit_report

URL = reverse("audit:lookups")
SEARCH = reverse("search:search")
PHONE = "08035550199"


@pytest.fixture
def submit(geo: dict[str, RegionalCommand]) -> Submit:
    return submit_report


@pytest.fixture
def supervisor(make_user: Callable[..., User]) -> User:
    return make_user(Role.SUPERVISOR, (), national=True)


def _rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_supervisor_finds_who_looked_up_a_phone_typed_in_another_format(
    submit: Submit, make_user: Callable[..., User], supervisor: User
) -> None:
    submit("Invented report naming a phone.", phone=PHONE)
    ada, bayo = make_user(Role.ANALYST, ("LAG",)), make_user(Role.ANALYST, ("LAG",))
    assert login(ada).get(SEARCH, {"q": "0803 555 0199"}).status_code == 200
    assert login(bayo).get(SEARCH, {"q": "+234 (803) 555-0199"}).status_code == 200
    login(bayo).get(SEARCH, {"q": "08031112222"})  # another phone: must not be listed
    response = login(supervisor).get(URL, {"identifier": "2348035550199"})
    assert response.status_code == 200
    found = LookupEvent.objects.filter(kind=LookupKind.SEARCH).order_by("id")[:2]
    page = response.content.decode()
    for event, who in zip(found, (ada, bayo), strict=True):
        assert event.actor == who and event.result_count == 1
        wat = event.at.astimezone(UTC) + timedelta(hours=1)
        assert f"<td>{wat:%Y-%m-%d %H:%M:%S}</td>" in page
        assert f"<td>{who.username}</td>" in page
    assert "08031112222" not in page
    assert page.count('<td class="num">1</td>') == 2


def test_an_at_name_search_is_found_by_the_account_typed_with_its_platform(
    submit: Submit, lagos_analyst: User, supervisor: User
) -> None:
    login(lagos_analyst).get(SEARCH, {"q": "@ada_invented"})
    response = login(supervisor).get(URL, {"identifier": "https://instagram.com/ada_invented"})
    assert "@ada_invented" in response.content.decode()
    other = login(supervisor).get(URL, {"identifier": "instagram.com/someone_else"})
    assert "@ada_invented" not in other.content.decode()


def test_the_query_is_stored_encrypted_and_the_identifier_only_as_a_keyed_hash(
    submit: Submit, lagos_analyst: User
) -> None:
    login(lagos_analyst).get(SEARCH, {"q": "0803 555 0199"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT query, identifier_hash FROM audit_lookupevent")
        [(stored_query, stored_hash)] = cursor.fetchall()
    assert "555" not in stored_query and "0199" not in stored_query
    assert len(stored_hash) == 64 and "0199" not in stored_hash
    assert LookupEvent.objects.get().query == "0803 555 0199"


def test_report_views_are_recorded_and_filtered_by_reference(
    lagos_report: Any, lagos_analyst: User, supervisor: User
) -> None:
    client = login(lagos_analyst)
    assert client.get(reverse("console:report", args=[lagos_report.reference])).status_code == 200
    page = login(supervisor).get(URL, {"report": lagos_report.reference.lower()})
    assert f"<td>{lagos_report.reference}</td>" in page.content.decode()
    assert "<td>Report viewed</td>" in page.content.decode()
    elsewhere = login(supervisor).get(URL, {"report": "TL-2000-000001"})
    assert "<td>Report viewed</td>" not in elsewhere.content.decode()


def test_a_refused_report_is_not_recorded_as_viewed(lagos_report: Any, kano_analyst: User) -> None:
    url = reverse("console:report", args=[lagos_report.reference])
    assert login(kano_analyst).get(url).status_code == 404
    assert not LookupEvent.objects.exists()


def test_csv_export_lists_the_filtered_look_ups_and_is_itself_recorded(
    submit: Submit, lagos_analyst: User, supervisor: User
) -> None:
    login(lagos_analyst).get(SEARCH, {"q": "=HYPERLINK(1)"})
    login(lagos_analyst).get(SEARCH, {"q": "pikin"})
    response = login(supervisor).get(URL, {"kind": "search", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _rows(response)
    assert rows[0][0] == "time (WAT)" and len(rows) == 3
    assert {row[4] for row in rows[1:]} == {"'=HYPERLINK(1)", "pikin"}  # formulas defused
    export = LookupEvent.objects.get(kind=LookupKind.AUDIT_EXPORT)
    assert export.actor == supervisor and export.result_count == 2


def test_pages_are_keyset_paginated_without_repeats(lagos_analyst: User, supervisor: User) -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    events = [lookup_event(actor=lagos_analyst, kind=LookupKind.SEARCH) for _ in range(105)]
    for i, event in enumerate(events):
        event.at = start + timedelta(seconds=i // 2)  # pairs share a time: ties broken by id
        event.object_ref = f"ref-{i:03}"
    lookups_record(events=events)
    client = login(supervisor)
    first = client.get(URL).context["page"]
    second = client.get(URL + "?" + client.get(URL).context["next_query"]).context["page"]
    shown = [e.object_ref for e in first.rows] + [e.object_ref for e in second.rows]
    assert shown == [f"ref-{i:03}" for i in reversed(range(105))]
    assert second.after is None


def test_days_are_west_africa_time(lagos_analyst: User, supervisor: User) -> None:
    event = lookup_event(actor=lagos_analyst, kind=LookupKind.SEARCH, object_ref="late")
    event.at = datetime(2026, 1, 1, 23, 30, tzinfo=UTC)  # 00:30 on 2 January in Lagos
    lookups_record(events=[event])
    client = login(supervisor)
    second = client.get(URL, {"since": "2026-01-02", "until": "2026-01-02"})
    assert "<td>late</td>" in second.content.decode()
    assert "2026-01-02 00:30:00" in second.content.decode()
    first = client.get(URL, {"since": "2026-01-01", "until": "2026-01-01"})
    assert "<td>late</td>" not in first.content.decode()


def test_person_and_kind_filters(make_user: Callable[..., User], supervisor: User) -> None:
    ada, bayo = make_user(Role.ANALYST, ("LAG",)), make_user(Role.ANALYST, ("LAG",))
    lookups_record(
        events=[
            lookup_event(actor=ada, kind=LookupKind.SEARCH, object_ref="by-ada"),
            lookup_event(actor=bayo, kind=LookupKind.EXPORT, object_ref="by-bayo"),
        ]
    )
    client = login(supervisor)
    by_ada = client.get(URL, {"person": ada.pk}).content.decode()
    assert "by-ada" in by_ada and "by-bayo" not in by_ada
    exports = client.get(URL, {"kind": "export"}).content.decode()
    assert "by-bayo" in exports and "by-ada" not in exports
    assert client.get(URL, {"identifier": "not an identifier"}).status_code == 400


def test_a_command_supervisor_sees_only_their_commands_staff(
    make_user: Callable[..., User], lagos_analyst: User, kano_analyst: User
) -> None:
    kano_supervisor = make_user(Role.SUPERVISOR, ("KAN",))
    lookups_record(
        events=[
            lookup_event(actor=lagos_analyst, kind=LookupKind.SEARCH, object_ref="in-lagos"),
            lookup_event(actor=kano_analyst, kind=LookupKind.SEARCH, object_ref="in-kano"),
        ]
    )
    page = login(kano_supervisor).get(URL).content.decode()
    assert "in-kano" in page and "in-lagos" not in page


def test_outsider_analyst_gets_404_and_no_nav_link(lagos_analyst: User, supervisor: User) -> None:
    assert login(lagos_analyst).get(URL).status_code == 404
    assert login(lagos_analyst).get(URL, {"format": "csv"}).status_code == 404
    assert URL not in login(lagos_analyst).get(SEARCH).content.decode()
    assert URL in login(supervisor).get(SEARCH).content.decode()


def test_anonymous_is_sent_to_login(db: Any) -> None:
    response = Client().get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_request_writes_all_its_look_ups_in_one_insert(lagos_analyst: User) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        for n in range(3):
            lookup_note(request, kind=LookupKind.REPORT_VIEW, object_ref=f"TL-2026-00000{n}")
        assert not LookupEvent.objects.exists()  # held until the response is built
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    request.user = lagos_analyst
    with CaptureQueriesContext(connection) as queries:
        LookupMiddleware(view)(request)
    inserts = [q for q in queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1 and LookupEvent.objects.count() == 3


def test_the_database_refuses_to_edit_a_look_up(lagos_analyst: User) -> None:
    lookups_record(events=[lookup_event(actor=lagos_analyst, kind=LookupKind.SEARCH)])
    with pytest.raises(DatabaseError), transaction.atomic():
        LookupEvent.objects.update(result_count=0)
    with pytest.raises(RuntimeError):
        LookupEvent.objects.get().save()


def test_the_phone_finds_views_of_reports_holding_it_and_graph_expansions(
    submit: Submit, lagos_analyst: User, supervisor: User
) -> None:
    holding = submit("Invented report naming a phone.", phone=PHONE)
    other = submit("Invented report with another phone.", phone="08031112222")
    client = login(lagos_analyst)
    for report in (holding, other):
        client.get(reverse("console:report", args=[report.reference]))
    phone = Identifier.objects.get(kind="phone", report_links__report=holding)
    expand = reverse("graph:expand_identifier", args=[phone.pk])
    assert client.get(expand).status_code == 200
    page = login(supervisor).get(URL, {"identifier": "+2348035550199"}).content.decode()
    assert f"<td>{holding.reference}</td>" in page and other.reference not in page
    assert "<td>Identifier expanded in the graph</td>" in page


def test_a_dashboard_export_is_recorded_with_its_row_count(
    lagos_report: Any, lagos_analyst: User
) -> None:
    url = reverse("dashboards:overview")
    response = login(lagos_analyst).get(url, {"format": "csv", "table": "volume_by_type"})
    assert response.status_code == 200
    export = LookupEvent.objects.get(kind=LookupKind.EXPORT)
    assert export.actor == lagos_analyst and export.object_ref == "dashboard:volume_by_type"
    assert export.result_count == len(_rows(response)) - 1  # the header is no result


def test_an_ncmec_export_is_recorded_with_the_report_and_its_documents(
    lagos_report: Any, tmp_path: Path
) -> None:
    call_command("export_ncmec", lagos_report.reference, out=str(tmp_path))
    export = LookupEvent.objects.get(kind=LookupKind.EXPORT)
    assert export.object_ref == lagos_report.reference and export.actor_label == "cli:export_ncmec"
    assert export.result_count == len(list(tmp_path.iterdir()))
