"""The choropleth of reports per state, drawn server-side as inline SVG from bundled shapes.

The shapes come from the npm package @svg-maps/nigeria (CC BY 4.0), re-keyed by our state codes;
see data/README.md. No tiles, no network, no JavaScript.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SHAPES = Path(__file__).resolve().parent / "data" / "nigeria_states.json"

# ColorBrewer "Blues" (Cynthia Brewer, Apache 2.0), lightest dropped so that one report is still
# visibly different from none. Sequential: darker means more.
PALETTE = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
NONE_FILL = "#ffffff"


@dataclass(frozen=True)
class Shapes:
    """The bundled outline of Nigeria: an SVG viewBox and one path per state code."""

    view_box: str
    paths: dict[str, str]
    attribution: str


@cache
def state_shapes() -> Shapes:
    """The bundled state outlines, read once per process."""
    data: dict[str, Any] = json.loads(SHAPES.read_text(encoding="utf-8"))
    paths = {code: state["path"] for code, state in data["states"].items()}
    return Shapes(view_box=data["viewBox"], paths=paths, attribution=data["attribution"])


@dataclass(frozen=True)
class Bucket:
    """One class of the colour scale: counts from `low` to `high`, drawn in `fill`."""

    low: int
    high: int
    fill: str

    @property
    def label(self) -> str:
        """The range in words, for the legend."""
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"


def color_scale(highest: int, classes: int = len(PALETTE)) -> list[Bucket]:
    """Up to `classes` equal-width classes from 1 to `highest`; empty when nothing was counted.

    With few reports there are fewer classes than colours, spread over the palette so that the
    darkest still means the most.
    """
    if highest <= 0:
        return []
    tops = sorted({math.ceil(highest * k / classes) for k in range(1, classes + 1)})
    buckets, low = [], 1
    for i, top in enumerate(tops):
        shade = round((i + 1) * len(PALETTE) / len(tops)) - 1
        buckets.append(Bucket(low, top, PALETTE[shade]))
        low = top + 1
    return buckets


def fill_for(count: int, scale: list[Bucket]) -> str:
    """The fill of a state with `count` reports."""
    return next((b.fill for b in scale if b.low <= count <= b.high), NONE_FILL)


@dataclass(frozen=True)
class MapState:
    """One state as drawn: its outline, count, fill and where a click leads."""

    code: str
    name: str
    path: str
    count: int
    fill: str
    url: str


@dataclass(frozen=True)
class Choropleth:
    """Everything the template needs to draw the map and its legend."""

    view_box: str
    states: list[MapState]
    legend: list[Bucket]
    none_fill: str
    attribution: str


def choropleth(counts: list[tuple[str, str, int]], link: Callable[[str], str]) -> Choropleth:
    """The map for `(code, name, count)` rows; `link(code)` is where clicking a state goes.

    Rows without a bundled shape (for example "not located") are not drawn; the table lists them.
    """
    shapes = state_shapes()
    drawn = [row for row in counts if row[0] in shapes.paths]
    scale = color_scale(max((n for _, _, n in drawn), default=0))
    states = [
        MapState(code, name, shapes.paths[code], n, fill_for(n, scale), link(code))
        for code, name, n in drawn
    ]
    return Choropleth(shapes.view_box, states, scale, NONE_FILL, shapes.attribution)


@cache
def state_centres() -> dict[str, tuple[float, float]]:
    """The middle of each state's outline (the centre of its bounding box), in the map's
    coordinates: where its marker of places is drawn. The bundled paths use only relative
    moves (`m`, then line-to pairs) and `z`."""
    return {code: _centre(path) for code, path in state_shapes().paths.items()}


def _centre(path: str) -> tuple[float, float]:
    x = y = start_x = start_y = 0.0
    start_pending = False
    xs: list[float] = []
    ys: list[float] = []
    for part in re.findall(r"[mMzZ]|-?[\d.]+(?:e-?\d+)?,-?[\d.]+(?:e-?\d+)?", path):
        if part in "zZ":
            x, y = start_x, start_y
            continue
        if part in "mM":
            start_pending = True
            continue
        dx, dy = (float(v) for v in part.split(","))
        x, y = x + dx, y + dy
        if start_pending:
            start_x, start_y, start_pending = x, y, False
        xs.append(x)
        ys.append(y)
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


@dataclass(frozen=True)
class PlaceMarker:
    """A state's places of concern as drawn: a circle at the state's middle, sized by count."""

    code: str
    name: str
    x: float
    y: float
    radius: float
    places: int
    reports: int


def places_layer(rows: list[tuple[str, str, int, int]]) -> list[PlaceMarker]:
    """Markers for `(code, name, places, reports)` rows of states with a bundled outline; the
    area of a circle grows with the places in the state."""
    centres = state_centres()
    return [
        PlaceMarker(code, name, *centres[code], 5 + 3 * math.sqrt(places), places, reports)
        for code, name, places, reports in rows
        if code in centres and places
    ]
