"""A case's link graph: its reports from any cluster, their shared identifiers and people; scoped
by the case's own access rule (team and command), outsiders and strangers get 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.cases.services import case_open
from tipline.conftest import login
from tipline.graph.selectors import report_node_id
from tipline.graph.tests.factories import SUSPECT_PHONE_DISPLAY, linked_report

pytestmark = pytest.mark.django_db


def _case(lead: User, geo: Any, *reports: Any) -> Any:
    return case_open(
        command=geo["LAG"], lead=lead, title="Invented ring", actor=lead, reports=reports
    )


def _nodes(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["data"]["id"]: n["data"] for n in payload["nodes"]}


def test_the_case_graph_draws_its_reports_across_clusters_and_what_they_share(
    make_user: Callable[..., User], geo: Any
) -> None:
    lead = make_user(Role.INVESTIGATOR, ("LAG",))
    first, second = linked_report(), linked_report()  # one cluster: the same phone
    apart = linked_report("0803 555 0177")  # another cluster, gathered by the same case
    case = _case(lead, geo, first, second, apart)
    response = login(lead).get(reverse("graph:case_json", args=[case.reference]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    nodes = _nodes(response.json())
    for report in (first, second, apart):
        assert report_node_id(report.reference) in nodes
    labels = [n["label"] for n in nodes.values() if n["kind"] == "identifier"]
    assert any(SUSPECT_PHONE_DISPLAY[-4:] in label for label in labels)
    page = login(lead).get(reverse("graph:case", args=[case.reference]))
    assert page.status_code == 200
    assert case.reference in page.content.decode()


def test_reports_of_the_case_outside_the_viewers_scope_are_counted_not_drawn(
    make_user: Callable[..., User], geo: Any
) -> None:
    lead = make_user(Role.INVESTIGATOR, ("LAG",))
    national = make_user(Role.SUPERVISOR, ("LAG",), national=True)
    kano = linked_report("0803 555 0188", state="KN")
    lagos = linked_report("0803 555 0188")
    case = case_open(
        command=geo["LAG"], lead=lead, title="Invented", actor=national, reports=(lagos, kano)
    )
    payload = login(lead).get(reverse("graph:case_json", args=[case.reference])).json()
    nodes = _nodes(payload)
    assert report_node_id(lagos.reference) in nodes
    assert report_node_id(kano.reference) not in nodes
    assert payload["reports_outside"] == 1


@pytest.mark.parametrize("name", ["graph:case", "graph:case_json"])
def test_outsiders_and_unknown_cases_get_404(
    make_user: Callable[..., User], geo: Any, name: str
) -> None:
    lead = make_user(Role.INVESTIGATOR, ("LAG",))
    case = _case(lead, geo, linked_report())
    colleague = make_user(Role.INVESTIGATOR, ("LAG",))  # same command, not on the team
    elsewhere = make_user(Role.INVESTIGATOR, ("KAN",))
    for user in (colleague, elsewhere):
        assert login(user).get(reverse(name, args=[case.reference])).status_code == 404
    assert login(lead).get(reverse(name, args=["NAP-2026-99999"])).status_code == 404
