"""The graph page: headings, tables of the same nodes and links, no inline script, vendoring."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.urls import reverse

from tipline.accounts.models import User
from tipline.conftest import login
from tipline.graph.tests.factories import SUSPECT_PHONE_DISPLAY, linked_report

VENDOR = Path(__file__).resolve().parents[1] / "static/vendor/cytoscape"


def _page(user: User, reference: str) -> str:
    response = login(user).get(reverse("graph:report", args=[reference]))
    assert response.status_code == 200
    return str(response.content.decode())


def test_page_lists_every_node_and_link_for_readers_without_the_canvas(
    lagos_analyst: User,
) -> None:
    linked_report()
    report = linked_report()
    html = _page(lagos_analyst, report.reference)
    match = re.search(r'<script id="graph-data" type="application/json">(.*?)</script>', html)
    assert match
    payload = json.loads(match.group(1))
    node_part, edge_part = html.split('id="graph-nodes"')[1].split('id="graph-edges"')
    node_rows = re.findall(r'<tr data-id="([^"]+)"', node_part)
    edge_rows = [unescape(i) for i in re.findall(r'<tr data-id="([^"]+)"', edge_part)]
    assert node_rows == [n["data"]["id"] for n in payload["nodes"]]
    assert edge_rows == [e["data"]["id"] for e in payload["edges"]]
    assert f"<h1>Links of {report.reference}</h1>" in html
    assert 'role="img" aria-labelledby="graph-heading"' in html
    assert f"<code>{SUSPECT_PHONE_DISPLAY}</code>" in html
    assert reverse("console:report", args=[report.reference]) in html


def test_page_has_no_inline_script_only_static_files_and_json(lagos_analyst: User) -> None:
    report = linked_report()
    html = _page(lagos_analyst, report.reference)
    for tag in re.findall(r"<script[^>]*>", html):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
    assert "/static/vendor/cytoscape/cytoscape.min.js" in html
    assert "/static/graph/graph.js" in html
    assert not re.search(r"<[^>]*\son[a-z]+=", html)  # no inline event handlers either


def test_cluster_page_shows_the_cluster_without_a_centre(lagos_analyst: User) -> None:
    linked_report()
    report = linked_report()
    response = login(lagos_analyst).get(reverse("graph:cluster", args=[report.cluster_id]))
    assert response.status_code == 200
    assert f"<h1>Cluster {report.cluster_id}</h1>" in response.content.decode()


def test_outside_reports_show_only_as_a_count_on_the_page(lagos_analyst: User) -> None:
    kano = linked_report(state="KN", emails=("kano.only@example.com",))
    report = linked_report()
    html = _page(lagos_analyst, report.reference)
    assert "1 outside your commands" in html and "1 report outside your commands" in html
    assert kano.reference not in html and "kano.only@example.com" not in html


def test_cytoscape_is_vendored_with_its_licence_and_version(db: Any) -> None:
    assert finders.find("vendor/cytoscape/cytoscape.min.js")
    assert finders.find("graph/graph.js") and finders.find("graph/graph.css")
    assert "Cytoscape Consortium" in (VENDOR / "LICENSE").read_text()
    readme = (VENDOR / "README.txt").read_text()
    assert "3.34.4" in readme and "npm pack cytoscape@3.34.4" in readme
    assert '"3.34.4"' in (VENDOR / "cytoscape.min.js").read_text()


def test_report_page_links_to_the_graph(lagos_analyst: User) -> None:
    linked_report()
    report = linked_report()
    response = login(lagos_analyst).get(reverse("console:report", args=[report.reference]))
    assert reverse("graph:report", args=[report.reference]) in response.content.decode()
