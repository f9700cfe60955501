"""The graph's JSON and pages: structure, expansion, scope, outsiders and 404s."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.conftest import login
from tipline.graph.tests.factories import SUSPECT_PHONE_DISPLAY, linked_report
from tipline.identifiers.models import Identifier
from tipline.reports.models import Report


def _get(user: User, name: str, *args: Any, query: str = "") -> Any:
    return login(user).get(reverse(name, args=list(args)) + query)


def _json(user: User, name: str, *args: Any, query: str = "") -> dict[str, Any]:
    response = _get(user, name, *args, query=query)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"].split(", ")
    data: dict[str, Any] = response.json()
    return data


def _nodes(payload: dict[str, Any], kind: str | None = None) -> dict[str, dict[str, Any]]:
    found = (n["data"] for n in payload["nodes"])
    return {d["id"]: d for d in found if kind is None or d["kind"] == kind}


def _edges(payload: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {
        (e["data"]["source"], e["data"]["target"], e["data"]["label"]) for e in payload["edges"]
    }


def _phone() -> Identifier:
    return next(
        i for i in Identifier.objects.filter(kind="phone") if i.display == SUSPECT_PHONE_DISPLAY
    )


def test_small_cluster_has_reports_identifiers_people_and_their_links(
    lagos_analyst: User,
) -> None:
    first = linked_report()
    second = linked_report(emails=("invented.man@example.com",))
    first.refresh_from_db()
    assert first.cluster_id == second.cluster_id is not None
    payload = _json(lagos_analyst, "graph:report_json", first.reference)

    assert payload["cluster"] == first.cluster_id
    assert payload["centre"] == f"report:{first.reference}"
    assert (payload["reports_in_scope"], payload["reports_outside"]) == (2, 0)
    assert payload["summary"] is None
    reports = _nodes(payload, "report")
    assert set(reports) == {f"report:{first.reference}", f"report:{second.reference}"}
    assert reports[f"report:{first.reference}"]["url"] == reverse(
        "console:report", args=[first.reference]
    )
    labels = {d["label"]: d for d in _nodes(payload, "identifier").values()}
    assert set(labels) == {SUSPECT_PHONE_DISPLAY, "invented.man@example.com"}
    phone = labels[SUSPECT_PHONE_DISPLAY]
    assert phone["identifier_kind"] == "phone" and phone["strong"] is True
    assert phone["expand"] == reverse("graph:expand_identifier", args=[phone["identifier"]])
    people = sorted(d["label"] for d in _nodes(payload, "person").values())
    assert people == ["Reported person 1", "Reported person 1", "Victim 1", "Victim 1"]
    edges = _edges(payload)
    for report in (first, second):
        assert (f"report:{report.reference}", phone["id"], "reported_person.phone") in edges
    person_edges = {(s, label) for s, t, label in edges if t.startswith("person:")}
    assert (f"report:{first.reference}", "victim") in person_edges
    assert payload["shared"] == [
        {
            "node_id": phone["id"],
            "kind": "phone",
            "label": SUSPECT_PHONE_DISPLAY,
            "strong": True,
            "in_scope": 2,
            "outside": 0,
            "drawn": 2,
        }
    ]


def test_names_of_people_are_never_in_the_graph(lagos_analyst: User) -> None:
    report = linked_report()
    linked_report()
    for name, arg in (("graph:report_json", report.reference), ("graph:report", report.reference)):
        body = _get(lagos_analyst, name, arg).content.decode()
        assert "Adaeze" not in body and "Madeup" not in body and "Obinna" not in body


def test_cluster_json_is_the_same_graph_without_a_centre(lagos_analyst: User) -> None:
    linked_report()
    first = linked_report()
    by_report = _json(lagos_analyst, "graph:report_json", first.reference)
    by_cluster = _json(lagos_analyst, "graph:cluster_json", first.cluster_id)
    assert by_cluster["centre"] is None
    assert _nodes(by_cluster) == _nodes(by_report)
    assert _edges(by_cluster) == _edges(by_report)


def test_lone_report_is_a_graph_of_itself(lagos_analyst: User) -> None:
    report = linked_report("0803 555 0999")
    assert report.cluster_id is None
    payload = _json(lagos_analyst, "graph:report_json", report.reference)
    assert payload["cluster"] is None and payload["centre"] == f"report:{report.reference}"
    assert {d["kind"] for d in _nodes(payload).values()} == {"report", "identifier", "person"}


def test_reports_outside_scope_are_counted_never_named(lagos_analyst: User) -> None:
    linked_report(state="KN", emails=("kano.only@example.com",))
    lagos = linked_report()
    kano = Report.objects.get(routed_command__code="KAN")
    assert kano.cluster_id == lagos.cluster_id
    response = _get(lagos_analyst, "graph:report_json", lagos.reference)
    body = response.content.decode()
    assert kano.reference not in body and "kano.only@example.com" not in body
    payload = response.json()
    assert (payload["reports_in_scope"], payload["reports_outside"]) == (1, 1)
    outside = _nodes(payload, "outside")
    assert [d["label"] for d in outside.values()] == ["1 report outside your commands"]
    phone = next(iter(_nodes(payload, "identifier").values()))
    assert ("outside", phone["id"], "1 shares it") in _edges(payload)
    assert payload["shared"][0]["outside"] == 1


def test_national_supervisor_sees_every_report_of_the_cluster(
    make_user: Callable[..., User],
) -> None:
    supervisor = make_user(Role.SUPERVISOR, (), national=True)
    kano = linked_report(state="KN")
    lagos = linked_report()
    payload = _json(supervisor, "graph:cluster_json", lagos.cluster_id)
    assert set(_nodes(payload, "report")) == {
        f"report:{lagos.reference}",
        f"report:{kano.reference}",
    }
    assert payload["reports_outside"] == 0 and not _nodes(payload, "outside")


def test_expanding_an_identifier_adds_every_visible_report_sharing_it(lagos_analyst: User) -> None:
    reports = [linked_report() for _ in range(3)]
    linked_report(state="KN")
    phone = _phone()
    payload = _json(lagos_analyst, "graph:expand_identifier", phone.pk)
    assert set(_nodes(payload, "report")) == {f"report:{r.reference}" for r in reports}
    assert _nodes(payload, "identifier")[f"identifier:{phone.pk}"]["label"] == SUSPECT_PHONE_DISPLAY
    assert [d["label"] for d in _nodes(payload, "outside").values()] == [
        f"1 report outside your commands shares {SUSPECT_PHONE_DISPLAY}"
    ]
    assert payload["remove"] == [f"more:{phone.pk}"]  # nothing left to page through


def test_expanding_an_identifier_pages_through_a_more_node(
    lagos_analyst: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tipline.graph.selectors.EXPAND_LIMIT", 2)
    made = [linked_report() for _ in range(3)]
    phone = _phone()
    first = _json(lagos_analyst, "graph:expand_identifier", phone.pk)
    more = _nodes(first, "more")[f"more:{phone.pk}"]
    assert more["count"] == 1 and more["label"].startswith("+1 more report sharing +23480355")
    assert more["expand"].endswith("?offset=2")
    second = _json(lagos_analyst, "graph:expand_identifier", phone.pk, query="?offset=2")
    assert set(_nodes(first, "report")) | set(_nodes(second, "report")) == {
        f"report:{r.reference}" for r in made
    }
    assert second["remove"] == [f"more:{phone.pk}"]


def test_expanding_a_report_adds_its_identifiers_and_people(lagos_analyst: User) -> None:
    report = linked_report(emails=("invented.man@example.com",))
    payload = _json(lagos_analyst, "graph:expand_report", report.reference)
    assert set(_nodes(payload, "report")) == {f"report:{report.reference}"}
    assert {d["label"] for d in _nodes(payload, "identifier").values()} == {
        SUSPECT_PHONE_DISPLAY,
        "invented.man@example.com",
    }
    assert {d["label"] for d in _nodes(payload, "person").values()} == {
        "Reported person 1",
        "Victim 1",
    }
    victim = next(d for d in _nodes(payload, "person").values() if d["role"] == "victim")
    assert victim["age"] == 14 and victim["report"] == report.reference


def test_absorbed_cluster_leads_to_the_cluster_that_absorbed_it(lagos_analyst: User) -> None:
    linked_report("0803 555 0201")
    first = linked_report("0803 555 0201")
    linked_report("0803 555 0202", emails=("bridge.invented@example.com",))
    absorbed = linked_report("0803 555 0202").cluster_id
    assert absorbed is not None and absorbed != first.cluster_id
    linked_report("0803 555 0201", emails=("bridge.invented@example.com",))  # joins the two
    payload = _json(lagos_analyst, "graph:cluster_json", absorbed)
    assert payload["cluster"] == first.cluster_id
    assert payload["reports_in_scope"] == 5


# Scope and outsiders ------------------------------------------------------------------------

JSON_VIEWS = ["graph:report_json", "graph:expand_report", "graph:report"]


@pytest.mark.parametrize("name", JSON_VIEWS)
def test_outsider_gets_404_for_a_report_of_another_command(name: str, kano_analyst: User) -> None:
    report = linked_report()
    linked_report()
    assert _get(kano_analyst, name, report.reference).status_code == 404


@pytest.mark.parametrize("name", ["graph:cluster_json", "graph:cluster"])
def test_outsider_gets_404_for_a_cluster_of_another_command(name: str, kano_analyst: User) -> None:
    linked_report()
    report = linked_report()
    assert _get(kano_analyst, name, report.cluster_id).status_code == 404


def test_outsider_gets_404_for_an_identifier_only_other_commands_carry(
    kano_analyst: User,
) -> None:
    linked_report()
    response = _get(kano_analyst, "graph:expand_identifier", _phone().pk)
    assert response.status_code == 404
    assert SUSPECT_PHONE_DISPLAY not in response.content.decode()


@pytest.mark.parametrize(
    ("name", "arg"),
    [
        ("graph:report", "TL-2026-999999"),
        ("graph:report_json", "TL-2026-999999"),
        ("graph:expand_report", "TL-2026-999999"),
        ("graph:cluster", 999_999),
        ("graph:cluster_json", 999_999),
        ("graph:expand_identifier", 999_999),
    ],
)
def test_missing_things_are_404(name: str, arg: Any, lagos_analyst: User) -> None:
    assert _get(lagos_analyst, name, arg).status_code == 404


@pytest.mark.parametrize(
    ("name", "arg"),
    [("graph:report", "TL-2026-000001"), ("graph:cluster_json", 1), ("graph:expand_identifier", 1)],
)
def test_graph_needs_login(name: str, arg: Any, db: Any) -> None:
    response = Client().get(reverse(name, args=[arg]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_odd_offsets_mean_the_first_page(lagos_analyst: User) -> None:
    linked_report()
    pk = _phone().pk
    for odd in ("-1", "x", "²", "99999999999999"):
        payload = _json(lagos_analyst, "graph:expand_identifier", pk, query=f"?offset={odd}")
        assert len(_nodes(payload, "report")) == 1


# Query counts ---------------------------------------------------------------------------------


def _queries(client: Client, url: str, assert_max: Any, limit: int) -> int:
    with assert_max(limit) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_json_views_do_not_query_per_node(
    lagos_analyst: User, django_assert_max_num_queries: Any
) -> None:
    linked_report()
    first = linked_report(emails=("a.invented@example.com",))
    client = login(lagos_analyst)
    urls = [
        reverse("graph:report_json", args=[first.reference]),
        reverse("graph:cluster_json", args=[first.cluster_id]),
        reverse("graph:expand_report", args=[first.reference]),
        reverse("graph:expand_identifier", args=[_phone().pk]),
    ]
    small = [_queries(client, url, django_assert_max_num_queries, 12) for url in urls]
    for n in range(8):
        linked_report(emails=(f"b{n}.invented@example.com",))
        linked_report(state="KN")
    for url, count in zip(urls, small, strict=True):
        _queries(client, url, django_assert_max_num_queries, count)
