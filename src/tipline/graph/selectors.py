"""Reads of the link graph: a cluster's reports, identifiers and people as nodes and edges.

Scope is applied once per call, with `reports_visible_to`. A report outside the viewer's scope
never becomes a node: it is only counted, in an opaque "N reports outside your commands" node
(one per cluster, or one per identifier when an identifier is expanded). People are
labelled by role and number ("Victim 1"); their encrypted fields are never loaded, so no name is
ever decrypted for the graph. Identifier values are decrypted only for the identifiers drawn.

Summarising large clusters. When a cluster's reports, identifiers and people together exceed
`max_nodes` (the GRAPH_MAX_NODES setting, 150 by default), the graph is summarised:
- at most a third of the budget is reports: the centre report first, then those linked to the most
  other reports through shared identifiers, then the most urgent, then the newest;
- only identifiers carried by a drawn report and shared by at least two reports of the cluster
  are drawn, strong before weak, most shared first, as many as half the remaining budget allows;
- each drawn identifier shared by reports not drawn gets one "+N more reports sharing ..." node;
- people are not drawn (expanding a report adds them); reports outside the viewer's scope are
  one node, as always.
So reports + 2 x identifiers + 1 never exceeds `max_nodes`, and the page adds a table of every
shared identifier drawn with its counts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from tipline.accounts.types import Viewer
from tipline.cases.selectors import case_get_for_user, case_reports_for_user
from tipline.identifiers.models import Cluster, Identifier, ReportIdentifier
from tipline.reports.choices import IncidentType, PersonRole, Priority, ReportStatus
from tipline.reports.models import Person, Report
from tipline.reports.selectors import reports_visible_to

DEFAULT_MAX_NODES = 150
EXPAND_LIMIT = 50
# What a report node carries; never an encrypted field, which would cost a decryption each.
REPORT_FIELDS = ("pk", "reference", "priority", "status", "incident_type", "received_at")
PERSON_FIELDS = ("pk", "report_id", "role", "position", "age")
ROLE_LABELS: dict[str, str] = {
    PersonRole.REPORTED_PERSON: "Reported person",
    PersonRole.VICTIM: "Victim",
    PersonRole.INTENDED_RECIPIENT: "Intended recipient",
    PersonRole.REPORTER: "Reporter",
    PersonRole.WITNESS: "Witness",
}
_PRIORITY_RANK = {p.value: rank for rank, p in enumerate(Priority)}
_INCIDENT_LABELS = dict(IncidentType.choices)
_STATUS_LABELS = dict(ReportStatus.choices)
_MERGE_HOPS = 20  # a chain of absorbed clusters longer than this is treated as missing


@dataclass
class Node:
    """One node: kind is report, identifier, person, more (reports not drawn) or outside."""

    id: str
    kind: str
    label: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Edge:
    """A link between two nodes, with how they are linked (e.g. "victim.phone", or a count)."""

    source: str
    target: str
    label: str = ""


@dataclass
class SharedRow:
    """An identifier of the graph shared by several reports, for the table summary."""

    node_id: str
    kind: str
    label: str
    strong: bool
    in_scope: int
    outside: int
    drawn: int


@dataclass
class Summary:
    """What a summarised graph left out, so the page can say so."""

    max_nodes: int
    reports_drawn: int
    identifiers_total: int
    identifiers_drawn: int


@dataclass
class Graph:
    """Nodes and edges for the viewer, with the counts the page shows beside them."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    cluster_id: int | None = None
    case_reference: str = ""  # a case's graph: its reports, whichever clusters they are in
    centre: str | None = None
    reports_in_scope: int = 0
    reports_outside: int = 0
    summary: Summary | None = None
    shared: list[SharedRow] = field(default_factory=list)
    # Aggregate nodes this answer replaces (a "+N more" node once its next page is drawn).
    remove: list[str] = field(default_factory=list)


def report_node_id(reference: str) -> str:
    return f"report:{reference}"


def identifier_node_id(pk: int) -> str:
    return f"identifier:{pk}"


def max_nodes_setting() -> int:
    """The node count above which a cluster is summarised (setting GRAPH_MAX_NODES)."""
    return int(getattr(settings, "GRAPH_MAX_NODES", DEFAULT_MAX_NODES))


def _short(value: str, keep: int = 12) -> str:
    return value if len(value) <= keep + 2 else f"{value[:keep]}…"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _report_node(row: dict[str, Any]) -> Node:
    received: datetime = row["received_at"]
    data = {
        "reference": row["reference"],
        "priority": row["priority"],
        "status": _STATUS_LABELS.get(row["status"], row["status"]),
        "incident_type": _INCIDENT_LABELS.get(row["incident_type"], row["incident_type"]),
        "received_at": received.isoformat(),
    }
    return Node(report_node_id(row["reference"]), "report", row["reference"], data)


def _identifier_node(identifier: Identifier) -> Node:
    data = {
        "identifier": identifier.pk,
        "identifier_kind": identifier.kind,
        "strong": identifier.strong,
    }
    return Node(identifier_node_id(identifier.pk), "identifier", identifier.display, data)


def _people_nodes(
    people: list[Person], references: dict[int, str]
) -> tuple[list[Node], list[Edge]]:
    """People labelled by role and number within their report: "Victim 2", never a name."""
    nodes: list[Node] = []
    edges: list[Edge] = []
    seen: Counter[tuple[int, str]] = Counter()
    for person in sorted(people, key=lambda p: (p.report_id, p.position, p.pk)):
        seen[(person.report_id, person.role)] += 1
        role = ROLE_LABELS.get(person.role, person.role)
        label = f"{role} {seen[(person.report_id, person.role)]}"
        reference = references[person.report_id]
        data = {"role": person.role, "report": reference, "age": person.age}
        nodes.append(Node(f"person:{person.pk}", "person", label, data))
        edges.append(Edge(report_node_id(reference), f"person:{person.pk}", role.lower()))
    return nodes, edges


def _people_of(report_ids: list[int]) -> list[Person]:
    return list(Person.objects.filter(report_id__in=report_ids).only(*PERSON_FIELDS).order_by())


def _identifiers(pks: set[int]) -> dict[int, Identifier]:
    """Decrypts the value of each identifier asked for, and of no other."""
    fields = ("pk", "kind", "display", "strong")
    return Identifier.objects.only(*fields).in_bulk(pks) if pks else {}


def _visible_report(visible: QuerySet[Report], reference: str) -> dict[str, Any]:
    rows = visible.filter(reference=reference).values(*REPORT_FIELDS, "cluster_id")
    row: dict[str, Any] | None = rows.first()
    if row is None:
        raise Http404("No such report.")
    return row


def _live_cluster_id(cluster_id: int) -> int:
    """Follow absorbed clusters to the one their reports now belong to; 404 if there is none."""
    for _ in range(_MERGE_HOPS):
        row = Cluster.objects.filter(pk=cluster_id).values_list("merged_into_id", flat=True)
        found = list(row)
        if not found:
            break
        if found[0] is None:
            return cluster_id
        cluster_id = found[0]
    raise Http404("No such cluster.")


@dataclass
class _Cluster:
    """A cluster as the viewer may see it: visible reports, their links, and what is hidden."""

    reports: dict[int, dict[str, Any]]
    outside: int
    links: list[tuple[int, int, str]]  # (report, identifier, source), visible reports only
    strong: dict[int, bool]
    sharing: dict[int, set[int]]  # identifier -> visible reports carrying it
    outside_sharing: Counter[int]  # identifier -> hidden reports carrying it

    @classmethod
    def load(cls, visible: QuerySet[Report], cluster_id: int) -> _Cluster:
        every = Report.objects.filter(cluster_id=cluster_id)
        return cls.of(visible.filter(cluster_id=cluster_id), every, "No such cluster.")

    @classmethod
    def of(cls, shown: QuerySet[Report], every: QuerySet[Report], missing: str) -> _Cluster:
        """The reports of `every` the user may see (`shown`), with the links among all of them;
        those not shown only counted. 404 with `missing` when none is shown."""
        rows = shown.order_by().values(*REPORT_FIELDS)
        reports = {row["pk"]: row for row in rows}
        if not reports:
            raise Http404(missing)
        outside = every.count() - len(reports)
        pairs = ReportIdentifier.objects.filter(report_id__in=every.values("pk")).order_by("pk")
        found = cls(reports, outside, [], {}, defaultdict(set), Counter())
        for report_id, identifier_id, source, strong in pairs.values_list(
            "report_id", "identifier_id", "source", "identifier__strong"
        ):
            found.add_link(report_id, identifier_id, source, strong)
        return found

    def add_link(self, report_id: int, identifier_id: int, source: str, strong: bool) -> None:
        self.strong[identifier_id] = strong
        if report_id in self.reports:
            self.links.append((report_id, identifier_id, source))
            self.sharing[identifier_id].add(report_id)
        else:
            self.outside_sharing[identifier_id] += 1

    def shares(self, identifier_id: int) -> int:
        return len(self.sharing.get(identifier_id, ())) + self.outside_sharing[identifier_id]

    def score(self, report_id: int, of: dict[int, list[int]]) -> int:
        """How connected a report is: other visible reports reached through its identifiers."""
        return sum(len(self.sharing[i]) - 1 for i in of.get(report_id, []))


def _rank_reports(cluster: _Cluster, centre: int | None) -> list[int]:
    """Centre first, then most connected, then most urgent, then newest."""
    of: dict[int, list[int]] = defaultdict(list)
    for report_id, identifier_id, _source in cluster.links:
        of[report_id].append(identifier_id)

    def key(pk: int) -> tuple[bool, int, int, float, int]:
        row = cluster.reports[pk]
        urgency = _PRIORITY_RANK.get(row["priority"], len(_PRIORITY_RANK))
        return (pk != centre, -cluster.score(pk, of), urgency, -row["received_at"].timestamp(), pk)

    return sorted(cluster.reports, key=key)


def _summarise(cluster: _Cluster, centre: int | None, max_nodes: int) -> tuple[set[int], set[int]]:
    """The reports and identifiers drawn for a cluster too big to draw whole (module docstring)."""
    report_budget = max(1, max_nodes // 3)
    reports = set(_rank_reports(cluster, centre)[:report_budget])
    candidates = {i for r, i, _ in cluster.links if r in reports and cluster.shares(i) >= 2}
    identifier_budget = max(0, (max_nodes - len(reports) - 1) // 2)
    ranked = sorted(candidates, key=lambda i: (not cluster.strong[i], -cluster.shares(i), i))
    return reports, set(ranked[:identifier_budget])


def _outside_node(count: int, node_id: str = "outside", suffix: str = "") -> Node:
    label = f"{_plural(count, 'report')} outside your commands{suffix}"
    return Node(node_id, "outside", label, {"count": count})


def _shares_it(count: int) -> str:
    return f"{count} {'shares' if count == 1 else 'share'} it"


def _more_node(identifier: Identifier, count: int, offset: int = 0) -> Node:
    label = f"+{count} more report{'' if count == 1 else 's'} sharing {_short(identifier.display)}"
    data = {"count": count, "identifier": identifier.pk, "offset": offset}
    return Node(f"more:{identifier.pk}", "more", label, data)


def _draw(cluster: _Cluster, reports: set[int], identifiers: set[int], graph: Graph) -> None:
    """Add the chosen reports and identifiers, their links, and the aggregates for the rest."""
    loaded = _identifiers(identifiers)
    references = {pk: cluster.reports[pk]["reference"] for pk in reports}
    for pk in sorted(reports, key=lambda pk: references[pk]):
        graph.nodes.append(_report_node(cluster.reports[pk]))
    for pk in sorted(loaded):
        graph.nodes.append(_identifier_node(loaded[pk]))
        not_drawn = cluster.sharing[pk] - reports
        if not_drawn:
            graph.nodes.append(_more_node(loaded[pk], len(not_drawn)))
            graph.edges.append(Edge(f"more:{pk}", identifier_node_id(pk), "shares"))
    for report_id, identifier_id, source in cluster.links:
        if report_id in reports and identifier_id in loaded:
            report = report_node_id(references[report_id])
            graph.edges.append(Edge(report, identifier_node_id(identifier_id), source))
    _draw_outside(cluster, loaded, graph)
    graph.shared = _shared_rows(cluster, reports, loaded)


def _draw_outside(cluster: _Cluster, loaded: dict[int, Identifier], graph: Graph) -> None:
    if not cluster.outside:
        return
    graph.nodes.append(_outside_node(cluster.outside))
    for pk in sorted(loaded):
        if cluster.outside_sharing[pk]:
            label = _shares_it(cluster.outside_sharing[pk])
            graph.edges.append(Edge("outside", identifier_node_id(pk), label))


def _shared_rows(
    cluster: _Cluster, reports: set[int], loaded: dict[int, Identifier]
) -> list[SharedRow]:
    rows = [
        SharedRow(
            node_id=identifier_node_id(pk),
            kind=identifier.kind,
            label=identifier.display,
            strong=identifier.strong,
            in_scope=len(cluster.sharing[pk]),
            outside=cluster.outside_sharing[pk],
            drawn=len(cluster.sharing[pk] & reports),
        )
        for pk, identifier in loaded.items()
        if cluster.shares(pk) >= 2
    ]
    return sorted(rows, key=lambda r: (not r.strong, -(r.in_scope + r.outside), r.label))


def _cluster_graph(
    visible: QuerySet[Report], cluster_id: int, centre: int | None, max_nodes: int
) -> Graph:
    cluster = _Cluster.load(visible, cluster_id)
    return _drawn(cluster, Graph(cluster_id=cluster_id), centre, max_nodes)


def _drawn(cluster: _Cluster, graph: Graph, centre: int | None, max_nodes: int) -> Graph:
    """The cluster's reports, identifiers and people on `graph`, summarised above `max_nodes`."""
    graph.reports_in_scope, graph.reports_outside = len(cluster.reports), cluster.outside
    if centre is not None:
        graph.centre = report_node_id(cluster.reports[centre]["reference"])
    whole = len(cluster.reports) + len(cluster.sharing) + (1 if cluster.outside else 0)
    people = _people_of(list(cluster.reports)) if whole <= max_nodes else []
    if whole + len(people) <= max_nodes:
        _draw(cluster, set(cluster.reports), set(cluster.sharing), graph)
        references = {pk: row["reference"] for pk, row in cluster.reports.items()}
        nodes, edges = _people_nodes(people, references)
        graph.nodes += nodes
        graph.edges += edges
        return graph
    reports, identifiers = _summarise(cluster, centre, max_nodes)
    _draw(cluster, reports, identifiers, graph)
    graph.summary = Summary(max_nodes, len(reports), len(cluster.sharing), len(identifiers))
    return graph


def cluster_graph_for_user(*, user: Viewer, cluster_id: int, max_nodes: int | None = None) -> Graph:
    """The graph of a cluster as the user may see it. 404 when they can see none of its reports.

    An absorbed cluster's id leads to the cluster that absorbed it. Above `max_nodes` (default:
    the GRAPH_MAX_NODES setting, else 150) the graph is summarised by the module docstring's rule.
    """
    visible = reports_visible_to(user)
    live = _live_cluster_id(cluster_id)
    return _cluster_graph(visible, live, None, max_nodes or max_nodes_setting())


def case_graph_for_user(
    *, user: Viewer, case_reference: str, max_nodes: int | None = None
) -> Graph:
    """The reports gathered by a case, their shared identifiers and their people, as one graph.

    404 unless the user may open the case (the cases app's one access rule); of its reports,
    those outside the user's scope are counted, never drawn, as in a cluster.
    """
    case = case_get_for_user(user=user, reference=case_reference)
    every = Report.objects.filter(case_links__case=case)
    shown = case_reports_for_user(case=case, user=user)
    cluster = _Cluster.of(shown, every, "No report of this case is in your scope.")
    return _drawn(
        cluster, Graph(case_reference=case.reference), None, max_nodes or max_nodes_setting()
    )


def report_graph_for_user(*, user: Viewer, reference: str, max_nodes: int | None = None) -> Graph:
    """The graph of the report's cluster, centred on it; a lone report is its own small graph."""
    visible = reports_visible_to(user)
    row = _visible_report(visible, reference)
    if row["cluster_id"] is None:
        graph = _report_neighbours(row)
    else:
        graph = _cluster_graph(
            visible, row["cluster_id"], row["pk"], max_nodes or max_nodes_setting()
        )
    graph.centre = report_node_id(row["reference"])
    return graph


def _report_neighbours(row: dict[str, Any]) -> Graph:
    graph = Graph(nodes=[_report_node(row)], reports_in_scope=1)
    links = ReportIdentifier.objects.filter(report_id=row["pk"]).select_related("identifier")
    links = links.only(
        "source", "identifier", "identifier__kind", "identifier__display", "identifier__strong"
    )
    for link in links.order_by("-identifier__strong", "identifier__kind", "pk"):
        graph.nodes.append(_identifier_node(link.identifier))
        target = identifier_node_id(link.identifier_id)
        graph.edges.append(Edge(report_node_id(row["reference"]), target, link.source))
    nodes, edges = _people_nodes(_people_of([row["pk"]]), {row["pk"]: row["reference"]})
    graph.nodes += nodes
    graph.edges += edges
    return graph


def report_neighbours_for_user(*, user: Viewer, reference: str) -> Graph:
    """Expanding a report: the report, all its identifiers and its people. 404 if not visible."""
    return _report_neighbours(_visible_report(reports_visible_to(user), reference))


def identifier_neighbours_for_user(
    *, user: Viewer, identifier_id: int, offset: int = 0, limit: int | None = None
) -> Graph:
    """Expanding an identifier: the reports the user may see that carry it, newest first.

    At most `limit` (default EXPAND_LIMIT, 50) from `offset`; the rest is one "+N more" node
    whose expansion is the next page. Reports outside the user's scope are one counted node.
    404 unless the user can see at least one report carrying it, so an identifier's value is
    never shown on the strength of its id.
    """
    limit = limit or EXPAND_LIMIT
    visible = reports_visible_to(user).values("pk")
    links = ReportIdentifier.objects.filter(identifier_id=identifier_id, report_id__in=visible)
    in_scope = links.count()
    if not in_scope:
        raise Http404("No such identifier.")
    identifier = _identifiers({identifier_id})[identifier_id]
    outside = ReportIdentifier.objects.filter(identifier_id=identifier_id).count() - in_scope
    shown = ("source", "report", *(f"report__{f}" for f in REPORT_FIELDS if f != "pk"))
    page = links.select_related("report").only(*shown)
    page = page.order_by("-report__received_at", "-report_id")[offset : offset + limit]
    graph = Graph(nodes=[_identifier_node(identifier)], reports_in_scope=in_scope)
    graph.reports_outside = outside
    target = identifier_node_id(identifier_id)
    for link in page:
        graph.nodes.append(_report_node({f: getattr(link.report, f) for f in REPORT_FIELDS}))
        graph.edges.append(Edge(report_node_id(link.report.reference), target, link.source))
    _page_tail(graph, identifier, in_scope - offset - limit, offset + limit, outside)
    return graph


def _page_tail(graph: Graph, identifier: Identifier, rest: int, offset: int, outside: int) -> None:
    """The "+N more" node for the next page (or its removal: none left), and the outside count."""
    target = identifier_node_id(identifier.pk)
    if rest > 0:  # a "+N more" node already drawn is updated in place
        graph.nodes.append(_more_node(identifier, rest, offset))
        graph.edges.append(Edge(f"more:{identifier.pk}", target, "shares"))
    else:
        graph.remove.append(f"more:{identifier.pk}")
    if outside:  # distinct from a cluster's "outside" node: this counts one identifier's reports
        verb = "shares" if outside == 1 else "share"
        suffix = f" {verb} {_short(identifier.display)}"
        node = _outside_node(outside, f"outside:{identifier.pk}", suffix)
        graph.nodes.append(node)
        graph.edges.append(Edge(node.id, target, _shares_it(outside)))
