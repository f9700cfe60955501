"""The link graph pages and their JSON. Thin: parse, call one selector, respond."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tipline.audit.lookups import lookup_note
from tipline.audit.models import LookupKind
from tipline.graph.payload import graph_payload
from tipline.graph.selectors import (
    Graph,
    case_graph_for_user,
    cluster_graph_for_user,
    identifier_neighbours_for_user,
    report_graph_for_user,
    report_neighbours_for_user,
)
from tipline.identifiers.selectors import identifier_value_hash


def _page(request: HttpRequest, graph: Graph, title: str, centre: str = "") -> HttpResponse:
    context = {
        "graph": graph,
        "payload": graph_payload(graph),
        "title": title,
        "centre_reference": centre,
    }
    return render(request, "graph/graph.html", context)


def _json(graph: Graph) -> JsonResponse:
    response = JsonResponse(graph_payload(graph))
    response["Cache-Control"] = "no-store"  # identifier values: never kept by a shared cache
    return response


def _offset(request: HttpRequest) -> int:
    """The page of an identifier's reports; anything odd means the first page."""
    value = request.GET.get("offset", "0")
    ok = value.isascii() and value.isdigit() and len(value) <= 7
    return int(value) if ok else 0


@login_required
@require_GET
def report_page(request: HttpRequest, reference: str) -> HttpResponse:
    """The report's cluster drawn around it, with the same nodes and links as tables."""
    graph = report_graph_for_user(user=request.user, reference=reference)
    return _page(request, graph, f"Links of {reference}", centre=reference)


@login_required
@require_GET
def cluster_page(request: HttpRequest, cluster_id: int) -> HttpResponse:
    """A whole cluster, centred on nothing."""
    graph = cluster_graph_for_user(user=request.user, cluster_id=cluster_id)
    return _page(request, graph, f"Cluster {graph.cluster_id}")


@login_required
@require_GET
def case_page(request: HttpRequest, case_reference: str) -> HttpResponse:
    """A case's reports with their shared identifiers and their people."""
    graph = case_graph_for_user(user=request.user, case_reference=case_reference)
    return _page(request, graph, f"Links of case {graph.case_reference}")


@login_required
@require_GET
def case_json(request: HttpRequest, case_reference: str) -> JsonResponse:
    """A case's graph as JSON."""
    return _json(case_graph_for_user(user=request.user, case_reference=case_reference))


@login_required
@require_GET
def report_json(request: HttpRequest, reference: str) -> JsonResponse:
    """The report page's graph as JSON."""
    return _json(report_graph_for_user(user=request.user, reference=reference))


@login_required
@require_GET
def cluster_json(request: HttpRequest, cluster_id: int) -> JsonResponse:
    """A cluster's graph as JSON."""
    return _json(cluster_graph_for_user(user=request.user, cluster_id=cluster_id))


@login_required
@require_GET
def expand_report(request: HttpRequest, reference: str) -> JsonResponse:
    """A report's neighbours: its identifiers and people."""
    return _json(report_neighbours_for_user(user=request.user, reference=reference))


@login_required
@require_GET
def expand_identifier(request: HttpRequest, identifier_id: int) -> JsonResponse:
    """An identifier's neighbours: the reports in scope carrying it, a page at a time."""
    graph = identifier_neighbours_for_user(
        user=request.user, identifier_id=identifier_id, offset=_offset(request)
    )
    lookup_note(
        request,
        kind=LookupKind.GRAPH_EXPAND,
        identifier_hash=identifier_value_hash(identifier_id),
        result_count=graph.reports_in_scope,
    )
    return _json(graph)
