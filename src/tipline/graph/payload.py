"""The graph as JSON: cytoscape's element format, with the links each node needs."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.urls import reverse

from tipline.graph.selectors import Edge, Graph, Node


def _urls(node: Node) -> dict[str, str]:
    """Where a node leads: its report page, and the call that expands it."""
    if node.kind == "report":
        reference = node.data["reference"]
        return {
            "url": reverse("console:report", args=[reference]),
            "graph_url": reverse("graph:report", args=[reference]),
            "expand": reverse("graph:expand_report", args=[reference]),
        }
    if node.kind in ("identifier", "more"):
        expand = reverse("graph:expand_identifier", args=[node.data["identifier"]])
        offset = node.data.get("offset", 0)
        return {"expand": f"{expand}?offset={offset}" if offset else expand}
    return {}


def _node(node: Node) -> dict[str, Any]:
    return {
        "data": {**node.data, **_urls(node), "id": node.id, "kind": node.kind, "label": node.label}
    }


def _edge(edge: Edge, labels: dict[str, str]) -> dict[str, Any]:
    data = {
        "id": f"{edge.source}>{edge.target}",
        "source": edge.source,
        "target": edge.target,
        "label": edge.label,
        # So a list of links reads without looking the nodes up (the canvas ignores these).
        "source_label": labels.get(edge.source, ""),
        "target_label": labels.get(edge.target, ""),
    }
    return {"data": data}


def graph_payload(graph: Graph) -> dict[str, Any]:
    """The JSON answer of every graph endpoint, and what the page embeds for its script."""
    labels = {node.id: node.label for node in graph.nodes}
    return {
        "cluster": graph.cluster_id,
        "centre": graph.centre,
        "reports_in_scope": graph.reports_in_scope,
        "reports_outside": graph.reports_outside,
        "summary": asdict(graph.summary) if graph.summary else None,
        "shared": [asdict(row) for row in graph.shared],
        "nodes": [_node(node) for node in graph.nodes],
        "edges": [_edge(edge, labels) for edge in graph.edges],
        "remove": graph.remove,
    }
