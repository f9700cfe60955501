"""Comparisons of a traveller's stay: whether a sighting falls inside it, and whether the place
a reporter names is the one the traveller gave (a hotel named loosely: "the Eko" for "Eko Hotels
and Suites").

`stay` compares a person's `seen_at` (a report's incident time) with the other's `stay` (arrival,
departure). `venue` compares the `venues` of one (the hotel of a notice) with those of the other
(a report's place and words), by their distinctive words.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from rapidfuzz.distance import JaroWinkler
from rapidfuzz.process import cdist

from tipline.people import nationality
from tipline.people.names import tokens

STAY_LEVELS = ("inside", "margin", "outside")
VENUE_LEVELS = ("same", "similar", "different")
# A report may be made a little before arrival (a booking seen) or some days after departure.
BEFORE_ARRIVAL = timedelta(days=2)
AFTER_DEPARTURE = timedelta(days=7)
# With no departure given, a stay is taken to last this long.
OPEN_STAY = timedelta(days=30)
STAY_M = {"inside": 0.92, "margin": 0.06, "outside": 0.02}
STAY_U = {"inside": 0.30, "margin": 0.15, "outside": 0.55}
VENUE_M = {"same": 0.45, "similar": 0.20, "different": 0.35}
VENUE_U = {"same": 0.01, "similar": 0.04, "different": 0.95}
# Words that name a kind of place, not which one.
_GENERIC = frozenset(
    [
        "hotel", "hotels", "suites", "suite", "guest", "house", "guesthouse", "lodge", "inn",
        "motel", "resort", "resorts", "apartment", "apartments", "shortlet", "short", "let",
        "the", "and", "of", "at", "in", "by", "beach", "bar", "club", "lounge", "plaza", "estate",
        "road", "street", "close", "avenue", "way", "room", "rooms",
    ]
)  # fmt: skip


def stay_window(stay: tuple[datetime, datetime | None]) -> tuple[datetime, datetime]:
    """From two days before arrival to a week after departure (or after an open stay)."""
    arrival, departure = stay
    return arrival - BEFORE_ARRIVAL, (departure or arrival + OPEN_STAY) + AFTER_DEPARTURE


def compare_stay(
    seen: datetime | None, stay: tuple[datetime, datetime | None] | None
) -> tuple[str | None, str]:
    """Whether `seen` is inside the stay, in its margin, or outside it."""
    if seen is None or stay is None:
        return None, "Time or stay missing on one side: not compared"
    arrival, departure = stay
    end = departure or arrival + OPEN_STAY
    # isoformat's fields, as strftime's %Y-%m-%d %H:%M give them, at a tenth of its cost (every
    # candidate of a report is compared).
    said = f"Seen {seen.isoformat(' ', 'minutes')[:16]} UTC; stay {arrival.date()} to {end.date()}"
    if arrival <= seen <= end:
        return "inside", f"{said}: during the stay"
    start, stop = stay_window(stay)
    if start <= seen <= stop:
        return "margin", f"{said}: just outside the stay"
    return "outside", f"{said}: outside the stay"


def distinctive(text: str) -> list[str]:
    """The words of a place's name that say which place it is."""
    return list(_distinctive(text))


@lru_cache(maxsize=4096)
def _distinctive(text: str) -> tuple[str, ...]:
    return tuple(t for t in tokens(text) if t not in _GENERIC and len(t) > 1)


class _Words:
    """Texts' words, read once (one report's texts are compared with every candidate's venues),
    with the answers of `_look_up` kept: the same venue words come back candidate after
    candidate."""

    __slots__ = ("found", "listed", "words")

    def __init__(self, texts: tuple[str, ...]) -> None:
        self.listed = tuple(dict.fromkeys(w for t in texts for w in tokens(t)))
        self.words = frozenset(self.listed)
        self.found: dict[str, bool] = {}


def _look_up(words: list[str], texts: _Words) -> None:
    """Whether each of `words` is in the texts: the same word (a set look-up), else one by
    Jaro-Winkler at 0.9 or more; the words not known yet are compared in one C call (cdist)."""
    missing = list(dict.fromkeys(w for w in words if w not in texts.found))
    if not missing:
        return
    near = cdist(missing, texts.listed, scorer=JaroWinkler.similarity, score_cutoff=0.9)
    for word, best in zip(missing, near.max(axis=1).tolist(), strict=True):
        texts.found[word] = word in texts.words or best > 0


@lru_cache(maxsize=16384)
def _words_of(texts: tuple[str, ...]) -> _Words:
    return _Words(texts)


@lru_cache(maxsize=4096)
def _venue_names(venues: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    parts = [p.strip() for v in venues for p in v.split(",")]
    return tuple((p, words) for p in parts if (words := _distinctive(p)))


def compare_venues(mine: tuple[str, ...], theirs: tuple[str, ...]) -> tuple[str | None, str]:
    """The best share of one side's venue's distinctive words found in the other's texts."""
    names = _venue_names(mine)
    texts = _words_of(theirs)
    if not names or not texts.listed:
        return None, "Place name missing on one side: not compared"
    _look_up([w for _, ws in names for w in ws], texts)
    found = texts.found
    share, name = max((sum(found[w] for w in ws) / len(ws), v) for v, ws in names)
    if share >= 0.99:
        return "same", f"'{name}' is named on both"
    if share >= 0.5:
        return "similar", f"'{name}' is named in part ({share:.0%} of its words)"
    return "different", f"'{name}' is not named on the other side"


# The travel-notice profile (people/profiles.py): which fields, their m and u where they differ
# from the defaults, the prior and the calibration.
FIELDS = (
    "given_name",
    "family_name",
    "dob",
    "sex",
    "phone",
    "email",
    "username",
    "document",
    "nationality_said",
    "stay",
    "place",
    "venue",
)
# The hand-set starting points; the fit below replaces them where it has a table.
START_M: dict[str, dict[str, float]] = {
    "nationality_said": nationality.M,
    "stay": STAY_M,
    "venue": VENUE_M,
    # A notice gives the destination state; a report names where it happened.
    "place": {"lga": 0.30, "state": 0.55, "else": 0.15},
}
START_U: dict[str, dict[str, float]] = {
    "nationality_said": nationality.U,
    "stay": STAY_U,
    "venue": VENUE_U,
}
PRIOR = 1e-4
# The fit on a labelled calibration set (bench/travellers_match.py --fit writes it): m and u of
# every field, the Platt scaling and the likely threshold. Kept as data so a refit is a diff of
# numbers; reviewers' decisions refit over it (tipline people_fit --kind travel_notice).
FIT_FILE = Path(__file__).parent / "data" / "travel_notice_fit.json"


def _fit() -> dict[str, Any]:
    if not FIT_FILE.exists():
        return {}
    data: dict[str, Any] = json.loads(FIT_FILE.read_text(encoding="utf-8"))
    return data


_FITTED = _fit()
M: dict[str, dict[str, float]] = {**START_M, **_FITTED.get("m", {})}
U: dict[str, dict[str, float]] = {**START_U, **_FITTED.get("u", {})}
CALIBRATION: tuple[float, float] | None = (
    (float(_FITTED["calibration"][0]), float(_FITTED["calibration"][1]))
    if _FITTED.get("calibration")
    else None
)
# The probability from which a match is "likely" (the P1 rule, the notification, the queue).
LIKELY: float = float(_FITTED.get("likely", 0.5))
