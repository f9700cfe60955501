"""Large clusters are summarised: the most connected reports, aggregates and a table."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tipline.accounts.models import User
from tipline.conftest import login
from tipline.graph.selectors import cluster_graph_for_user, report_graph_for_user
from tipline.graph.tests.factories import SUSPECT_PHONE_DISPLAY, linked_report
from tipline.reports.models import Report


def _cluster_of_six() -> list[Report]:
    """Six reports sharing a phone; the last two also share an email, so are the most linked."""
    made = [linked_report() for _ in range(4)]
    made += [linked_report(emails=("pair.invented@example.com",)) for _ in range(2)]
    return [Report.objects.get(pk=r.pk) for r in made]


def test_a_small_cluster_is_drawn_whole(lagos_analyst: User, settings: Any) -> None:
    reports = _cluster_of_six()
    graph = cluster_graph_for_user(user=lagos_analyst, cluster_id=reports[0].cluster_id or 0)
    assert graph.summary is None
    assert sum(1 for n in graph.nodes if n.kind == "report") == 6
    assert sum(1 for n in graph.nodes if n.kind == "person") == 12


def test_above_the_threshold_the_most_connected_reports_and_aggregates_are_drawn(
    lagos_analyst: User, settings: Any
) -> None:
    settings.GRAPH_MAX_NODES = 9
    reports = _cluster_of_six()
    centre = reports[0]
    payload = login(lagos_analyst).get(reverse("graph:report_json", args=[centre.reference])).json()
    nodes = {n["data"]["id"]: n["data"] for n in payload["nodes"]}
    assert len(nodes) <= 9
    drawn = {d["reference"] for d in nodes.values() if d["kind"] == "report"}
    assert drawn == {centre.reference, reports[4].reference, reports[5].reference}
    assert not [d for d in nodes.values() if d["kind"] == "person"]
    more = [d for d in nodes.values() if d["kind"] == "more"]
    assert [(d["count"], d["label"]) for d in more] == [
        (3, f"+3 more reports sharing {SUSPECT_PHONE_DISPLAY}")  # short enough to show whole
    ]
    assert payload["summary"] == {
        "max_nodes": 9,
        "reports_drawn": 3,
        "identifiers_total": 2,
        "identifiers_drawn": 2,
    }
    shared = {row["label"]: row for row in payload["shared"]}
    assert shared[SUSPECT_PHONE_DISPLAY]["in_scope"] == 6
    assert shared[SUSPECT_PHONE_DISPLAY]["drawn"] == 3


def test_summary_page_explains_the_rule_and_lists_shared_identifiers(
    lagos_analyst: User, settings: Any
) -> None:
    settings.GRAPH_MAX_NODES = 9
    centre = _cluster_of_six()[0]
    body = login(lagos_analyst).get(reverse("graph:report", args=[centre.reference])).content
    text = body.decode()
    assert "Summary of a large cluster" in text and "more than 9 nodes" in text
    assert 'id="graph-shared"' in text and SUSPECT_PHONE_DISPLAY in text


@pytest.mark.parametrize("max_nodes", [1, 2, 3, 4, 5, 7, 10, 20])
def test_a_summary_never_exceeds_its_budget(lagos_analyst: User, max_nodes: int) -> None:
    reports = _cluster_of_six()
    linked_report(state="KN")  # and one outside the analyst's scope
    graph = report_graph_for_user(
        user=lagos_analyst, reference=reports[1].reference, max_nodes=max_nodes
    )
    assert len(graph.nodes) <= max(max_nodes, 2)  # the centre and the outside count always show
    assert f"report:{reports[1].reference}" in {n.id for n in graph.nodes}
    edges_ok = {n.id for n in graph.nodes}
    assert all(e.source in edges_ok and e.target in edges_ok for e in graph.edges)
