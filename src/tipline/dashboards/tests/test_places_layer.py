"""The dashboards' layer of places of concern: a marker per state at the middle of its outline,
counted over the places and reports the user may see."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.conftest import draft, login
from tipline.dashboards.maps import places_layer, state_centres, state_shapes
from tipline.geo.models import State
from tipline.pipeline.services import pipeline_run
from tipline.reports.drafts import IncidentDraft
from tipline.reports.services import report_submit
from tipline.travellers.choices import PlaceKind
from tipline.travellers.places import place_create

URL = "/console/dashboards/"
MARKER = re.compile(
    r'<circle class="place-marker"[^>]*data-state="(\w\w)"><title>[^:]+: (\d+) places? of '
    r"concern, named in (\d+) reports?"
)


def test_every_state_has_a_middle_inside_the_map_where_it_lies() -> None:
    centres = state_centres()
    _, _, width, height = (float(v) for v in state_shapes().view_box.split())
    assert len(centres) == 37
    assert all(0 < x < width and 0 < y < height for x, y in centres.values())
    lagos, borno, sokoto = centres["LA"], centres["BO"], centres["SO"]
    assert lagos[0] < borno[0] and lagos[1] > borno[1]  # Lagos south-west of Borno
    assert sokoto[1] < lagos[1]  # Sokoto north of Lagos


def test_markers_grow_with_places_and_skip_states_without() -> None:
    markers = places_layer([("LA", "Lagos", 4, 2), ("KN", "Kano", 1, 0), ("OY", "Oyo", 0, 0)])
    assert [m.code for m in markers] == ["LA", "KN"]
    assert markers[0].radius > markers[1].radius


@pytest.fixture
def palm(lagos_analyst: User, geo: Any) -> Any:
    place = place_create(
        name="Invented Eko Palm Hotels and Suites",
        kind=PlaceKind.HOTEL,
        state=State.objects.get(code="LA"),
        aliases=["Palm Suites VI"],
        actor=lagos_analyst,
    )
    incident = IncidentDraft(
        type="child_sex_tourism",
        description="A man takes girls to Palm Suites VI every night.",
        state_code="LA",
    )
    pipeline_run(report_id=report_submit(draft=draft(incident=incident)).report.pk)
    return place


def test_national_staff_see_the_lagos_place_and_its_report(
    palm: Any, make_user: Callable[..., User]
) -> None:
    page = login(make_user(Role.SUPERVISOR, (), national=True)).get(URL).content.decode()
    assert MARKER.findall(page) == [("LA", "1", "1")]
    assert "Places of concern by state as a table" in page


def test_kano_analyst_sees_no_lagos_place(palm: Any, kano_analyst: User) -> None:
    page = login(kano_analyst).get(URL).content.decode()
    assert MARKER.findall(page) == []
    assert "Places of concern by state" not in page
