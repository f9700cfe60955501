"""Distance, time apart and photo likeness: the comparisons the missing-child profile adds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tipline.people.compare import compare, pdq_distance
from tipline.people.person import PersonFields, Place
from tipline.people.places import point_of
from tipline.people.profiles import MISSING_FIELDS, default_profile
from tipline.people.scoring import check_profile, people_score

SEEN = datetime(2026, 5, 1, 9, tzinfo=UTC)


def _at(*places: Place) -> PersonFields:
    return PersonFields(places=places)


def test_an_lga_is_placed_at_its_centre_and_a_state_at_its_own() -> None:
    ikeja = point_of(Place(state="LA", lga="Ikeja"))
    lagos = point_of(Place(state="LA"))
    assert ikeja is not None and ikeja.resolution == "lga" and "Ikeja LGA" in ikeja.label
    assert lagos is not None and lagos.resolution == "state"
    assert point_of(Place(state="ZZ")) is None


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        (Place(state="LA", lga="Ikeja"), Place(state="LA", lga="Ikeja"), "close"),
        (Place(state="LA", lga="Ikeja"), Place(state="LA", lga="Alimosho"), "close"),
        (Place(state="LA", lga="Ikeja"), Place(state="OG", lga="Ifo"), "near"),
        (Place(state="LA", lga="Ikeja"), Place(state="OY", lga="Ibadan North"), "region"),
        (Place(state="LA", lga="Ikeja"), Place(state="KN", lga="Fagge"), "far"),
        # Known by state only: never "close", however near the centres are.
        (Place(state="LA"), Place(state="LA", lga="Ikeja"), "near"),
    ],
)
def test_distance_levels(left: Place, right: Place, level: str) -> None:
    assert compare("distance", _at(left), _at(right)).level == level


def test_distance_reason_names_both_places_and_the_kilometres() -> None:
    found = compare("distance", _at(Place(state="KN", lga="Fagge")), _at(Place(state="LA")))
    assert found.level == "far"
    assert found.reason.startswith("Fagge LGA (KN) and state LA: known by state only")
    assert "km apart" in found.reason


def test_coordinates_win_over_the_lga_centre() -> None:
    here = Place(state="LA", lga="Ikeja", lat=6.60, lon=3.35)
    there = Place(state="LA", lga="Epe", lat=6.61, lon=3.36)
    found = compare("distance", _at(here), _at(there))
    assert found.level == "close" and "2 km apart" in found.reason


@pytest.mark.parametrize(
    ("days", "level"), [(3, "days"), (40, "weeks"), (200, "months"), (900, "years")]
)
def test_time_apart_levels(days: int, level: str) -> None:
    left = PersonFields(seen_at=SEEN)
    right = PersonFields(seen_at=SEEN + timedelta(days=days))
    assert compare("elapsed", left, right).level == level
    assert compare("elapsed", left, PersonFields()).level is None


def test_photos_match_within_31_bits() -> None:
    base = "f" * 64
    near = "0" * 7 + "f" * 57  # 28 bits differ
    far = "0" * 64
    assert pdq_distance(base, near) == 28
    close = compare("photo", PersonFields(photo_pdqs=(base,)), PersonFields(photo_pdqs=(near,)))
    assert close.level == "match"
    found = compare("photo", PersonFields(photo_pdqs=(base,)), PersonFields(photo_pdqs=(far,)))
    assert found.level == "different" and "256" in found.reason


def test_the_missing_profile_weighs_distance_time_and_photo_and_not_place_twice() -> None:
    profile = default_profile("missing_record")
    check_profile(profile)
    assert profile.fields == MISSING_FIELDS and "place" not in profile.fields
    record = PersonFields(
        given_names="Temitope", family_name="Adebayo", sex="f",
        places=(Place(state="LA", lga="Ikeja"),), seen_at=SEEN,
    )  # fmt: skip
    near = PersonFields(
        given_names="Tope", family_name="Adebayo", sex="f",
        places=(Place(state="LA", lga="Alimosho"),), seen_at=SEEN + timedelta(days=4),
    )  # fmt: skip
    far = PersonFields(
        given_names="Tope", family_name="Adebayo", sex="f",
        places=(Place(state="BO", lga="Maiduguri"),), seen_at=SEEN + timedelta(days=900),
    )  # fmt: skip
    close_score = people_score(profile=profile, left=near, right=record)
    far_score = people_score(profile=profile, left=far, right=record)
    assert close_score.probability > far_score.probability
    reasons = {r.field: r for r in close_score.reasons}
    assert reasons["distance"].bits > 0 and reasons["elapsed"].bits > 0
