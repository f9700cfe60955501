"""Where places are: a point for a `Place`, from its own coordinates, else its LGA's centre,
else its state's, from naija-data (INEC and OCHA COD-AB, CC BY 4.0), and distances between them.

The resolution travels with the point, so a comparison knows that two places known only by state
are "somewhere in the same state", not "in the same spot".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from tipline.people.names import fold
from tipline.people.person import Place


@dataclass(frozen=True)
class Point:
    """A place's position and how finely it is known: "point", "lga" or "state"."""

    lat: float
    lon: float
    resolution: str
    label: str


@cache
def _lga_centres() -> dict[tuple[str, str], tuple[float, float, str]]:
    from naija_data import admin  # noqa: PLC0415  # loaded on first use only

    centres: dict[tuple[str, str], tuple[float, float, str]] = {}
    for lga in admin.lgas():
        if lga.lat is None or lga.lon is None:
            continue
        for name in (lga.name, *lga.aliases):
            centres[(lga.state_code, fold(name))] = (float(lga.lat), float(lga.lon), lga.name)
    return centres


@cache
def _state_centres() -> dict[str, tuple[float, float]]:
    from naija_data import admin  # noqa: PLC0415  # loaded on first use only

    return {s.code: (float(s.lat), float(s.lon)) for s in admin.states() if s.lat and s.lon}


def point_of(place: Place) -> Point | None:
    """The best point known for `place`, or None when even its state is unknown."""
    if place.lat is not None and place.lon is not None:
        where = f"{place.lga} LGA ({place.state})" if place.lga else place.state or "a point"
        return Point(place.lat, place.lon, "point", where)
    lga = _lga_centres().get((place.state, fold(place.lga))) if place.lga else None
    if lga:
        return Point(lga[0], lga[1], "lga", f"{lga[2]} LGA ({place.state})")
    state = _state_centres().get(place.state)
    return Point(state[0], state[1], "state", f"state {place.state}") if state else None


def km_between(a: Point, b: Point) -> float:
    """Great-circle distance in kilometres (haversine, mean Earth radius)."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))
