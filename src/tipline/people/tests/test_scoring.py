"""Scoring: levels and reasons field by field, the Fellegi-Sunter sum, and calibration."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest

from tipline.people import travel
from tipline.people.person import PersonFields, Place
from tipline.people.profiles import ALL_FIELDS, DEFAULT_PROFILES, default_profile
from tipline.people.scoring import (
    MatchProfile,
    check_profile,
    expected_calibration_error,
    fit_calibration,
    level_bits,
    people_score,
    people_score_from,
    prior_bits,
    sigmoid,
)

PROFILE = MatchProfile(name="test", fields=ALL_FIELDS)


def _reasons(left: PersonFields, right: PersonFields) -> dict[str, str]:
    score = people_score(profile=PROFILE, left=left, right=right)
    return {r.field: r.text for r in score.reasons}


def test_reasons_name_each_field_in_words_an_analyst_can_check() -> None:
    sighting = PersonFields(
        given_names="Tope", family_name="Adebayo", age=14, age_given_on=date(2026, 5, 1), sex="f"
    )
    record = PersonFields(
        given_names="Temitope", family_name="Adebayo", date_of_birth=date(2011, 9, 1), sex="F"
    )
    reasons = _reasons(sighting, record)
    assert reasons["given_name"] == "Given name 'Tope' is a short form of 'Temitope'"
    assert reasons["family_name"] == "Family name 'Adebayo' matches exactly"
    assert reasons["dob"] == "Born 2011; about 14 was given in 2026: compatible (they were 14)"
    assert reasons["sex"] == "Both female"
    assert reasons["phone"] == "Phone missing on one side: not compared"


def test_swapped_names_match_and_say_so() -> None:
    score = people_score(
        profile=PROFILE,
        left=PersonFields(given_names="Okafor", family_name="Chiamaka"),
        right=PersonFields(given_names="Chiamaka", family_name="Okafor"),
    )
    assert score.comparison["given_name"] == score.comparison["family_name"] == "exact"
    assert all("order swapped" in r.text for r in score.reasons[:2])


@pytest.mark.parametrize(
    ("left", "right", "level"),
    [
        ("Mohammed", "Muhammad", "alias"),
        ("Jürgen", "Jurgen", "exact"),
        ("Adebayor", "Adebayo", "jw90"),
        ("Ibraheem", "Ibrahim", "alias"),
        ("Oluwaseun", "Oluwasegun", "jw90"),
        ("Chukwuemeka", "Chukwuemka", "phonetic"),
        ("Ngozi", "Bola", "else"),
    ],
)
def test_given_name_levels(left: str, right: str, level: str) -> None:
    score = people_score(
        profile=PROFILE, left=PersonFields(given_names=left), right=PersonFields(given_names=right)
    )
    assert score.comparison["given_name"] == level


def test_a_guessed_age_far_from_the_date_of_birth_counts_against() -> None:
    score = people_score(
        profile=PROFILE,
        left=PersonFields(age=30, age_given_on=date(2026, 1, 1)),
        right=PersonFields(date_of_birth=date(2014, 6, 1)),
    )
    assert score.comparison["dob"] == "mismatch"
    assert score.reasons[ALL_FIELDS.index("dob")].bits < 0


def test_phone_in_two_formats_place_and_nationality() -> None:
    score = people_score(
        profile=PROFILE,
        left=PersonFields(phones=("0803 555 0101",), places=(Place(state="KN", lga="Fagge"),)),
        right=PersonFields(phones=("+2348035550101",), places=(Place(state="KN", lga="fagge"),)),
    )
    assert score.comparison["phone"] == "shared"
    assert score.comparison["place"] == "lga"
    assert score.comparison["nationality"] is None


def test_the_probability_is_the_posterior_of_the_summed_weights() -> None:
    left = PersonFields(given_names="Ada", family_name="Eze", sex="f")
    right = PersonFields(given_names="Ada", family_name="Okoro", sex="f")
    score = people_score(profile=PROFILE, left=left, right=right)
    expected = prior_bits(PROFILE.prior) + sum(
        level_bits(PROFILE, f, score.comparison[f]) for f in PROFILE.fields
    )
    assert score.weight == pytest.approx(expected)
    assert score.probability == pytest.approx(sigmoid(expected * math.log(2)))
    assert 0 < score.probability < 0.5


def test_each_caller_profile_is_complete_and_compares_only_its_fields() -> None:
    for profile in DEFAULT_PROFILES.values():
        check_profile(profile)
    travel = default_profile("travel_notice")
    score = people_score(profile=travel, left=PersonFields(), right=PersonFields())
    assert set(score.comparison) == set(travel.fields)
    # Nationality as a reporter says it, never the code-only comparison (one fact, once).
    assert "nationality_said" in score.comparison and "nationality" not in score.comparison
    with pytest.raises(ValueError, match="Unknown field"):
        check_profile(MatchProfile(name="bad", fields=("shoe_size",)))


def test_calibration_fit_recovers_a_known_logistic_curve() -> None:
    weights = [x / 10 for x in range(-100, 101)]
    # Labels drawn from P(match) = sigmoid(0.5 * w ln2 - 1), deterministically by thresholds.
    labels = [sigmoid(0.5 * w * math.log(2) - 1) > ((i * 0.618) % 1) for i, w in enumerate(weights)]
    fitted = fit_calibration(weights, labels)
    assert fitted is not None
    assert fitted[0] == pytest.approx(0.5, abs=0.2)
    assert fitted[1] == pytest.approx(-1, abs=0.6)
    assert fit_calibration([1.0, 2.0], [True, True]) is None


def test_expected_calibration_error_of_perfect_and_wrong_predictions() -> None:
    assert expected_calibration_error([0.0, 1.0], [False, True]) == 0
    assert expected_calibration_error([0.9, 0.9], [False, False]) == pytest.approx(0.9)


@pytest.mark.parametrize(
    ("venue", "words", "level"),
    [
        ("Palmview Hotel and Suites, Adeola Street", "He stays at the Palmview.", "same"),
        ("Palmview Hotel and Suites", "Seen at the Palmveiw hotel", "same"),  # misspelt
        ("Lagoon Crest Hotel", "at the Lagoon beach", "similar"),  # half its words
        ("Lagoon Crest Hotel", "at the Sapphire Guest House", "different"),
        ("The Hotel", "at the Sapphire", None),  # no distinctive word on one side
    ],
)
def test_a_venue_named_loosely(venue: str, words: str, level: str | None) -> None:
    found, reason = travel.compare_venues((venue,), (words,))
    assert found == level and reason
    # The second time reads the same words from the cache and says the same.
    assert travel.compare_venues((venue,), (words,)) == (found, reason)


def test_scoring_from_a_floor_is_people_score_or_none_only_below_it() -> None:
    """`people_score_from` gives `people_score`'s very score, or None for a pair that scores below
    the floor (its costly fields left uncompared): a notice, and reports of it, a namesake and
    nobody like it."""
    profile = default_profile("travel_notice")
    seen = datetime(2026, 3, 5, 22, 0, tzinfo=UTC)
    notice = PersonFields(
        given_names="Invented", family_name="Travelling", sex="m",
        date_of_birth=date(1970, 5, 1), nationality="GBR", places=(Place(state="LA"),),
        stay=(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 14, tzinfo=UTC)),
        venues=("Palmview Hotel and Suites, Invented Street",), documents=("passport:123456789",),
    )  # fmt: skip
    reports = [
        PersonFields(given_names="Invented", family_name="Travelling", age=55, seen_at=seen,
                     nationality="British", places=(Place(state="LA"),),
                     venues=("the Palmview", "He brings girls to the Palmview at night.")),
        PersonFields(given_names="Invented", seen_at=seen, age=30, nationality="oyinbo",
                     places=(Place(state="LA"),), venues=("the Sapphire",)),
        PersonFields(given_names="Other", family_name="Person", age=25, sex="f",
                     seen_at=seen + timedelta(days=90), places=(Place(state="KN"),),
                     documents=("passport:999999999",), venues=("a bar",)),
        PersonFields(given_names="Invented", documents=("passport:123456789",), seen_at=seen),
    ]  # fmt: skip
    results = []
    for report in reports:
        full = people_score(profile=profile, left=report, right=notice)
        for least in (0.02, 0.5, 0.99):
            got = people_score_from(profile=profile, left=report, right=notice, least=least)
            assert got == full if got is not None else full.probability < least
            results.append(got is None)
    assert any(results) and not all(results)  # both ways taken
