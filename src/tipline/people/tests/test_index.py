"""The blind index: no plain text stored, keyed, and candidates for the ways a name varies."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import override_settings

from tipline.people import blind
from tipline.people.choices import TERM_WEIGHTS
from tipline.people.models import BlindIndexEntry
from tipline.people.person import PersonFields
from tipline.people.selectors import people_candidates
from tipline.people.services import people_index, people_index_many, people_unindex

KIND = "test_registry"
TEMITOPE = PersonFields(
    given_names="Temitope",
    family_name="Adebayo",
    date_of_birth=date(2011, 4, 2),
    phones=("+234 803 123 4567",),
    emails=("t.adebayo@example.com",),
    usernames=("instagram:@tope.ade",),
)
REGISTRY = {
    "1": TEMITOPE,
    "2": PersonFields(given_names="Muhammad", family_name="Bello", date_of_birth=date(1990, 1, 5)),
    "3": PersonFields(given_names="Michael", family_name="Okafor", date_of_birth=date(1985, 7, 7)),
    "4": PersonFields(given_names="Jürgen", family_name="Schmidt", date_of_birth=date(1970, 2, 2)),
    "5": PersonFields(given_names="Chiamaka", family_name="Eze", phones=("08091112222",)),
}


@pytest.fixture
def registry(db: None) -> None:
    for owner, person in REGISTRY.items():
        people_index(owner_kind=KIND, owner_id=owner, person=person)


def _found(person: PersonFields) -> list[str]:
    return [c.owner_id for c in people_candidates(owner_kind=KIND, person=person)]


@pytest.mark.django_db
def test_entries_hold_no_plain_text_of_the_person() -> None:
    people_index(owner_kind=KIND, owner_id="1", person=TEMITOPE)
    rows = list(
        BlindIndexEntry.objects.values_list("owner_kind", "owner_id", "term_kind", "digest")
    )
    assert len(rows) == len(blind.index_terms(TEMITOPE))
    # Besides who owns it and the kind of term, a row holds only a 128-bit digest...
    assert {(kind, owner) for kind, owner, _, _ in rows} == {(KIND, "1")}
    assert all(re.fullmatch(r"[0-9a-f]{32}", digest) for _, _, _, digest in rows)
    assert {term_kind for _, _, term_kind, _ in rows} <= set(TERM_WEIGHTS)
    # ...of a term, never the term (the digits of a year or phone could occur in hex by chance).
    stored = " ".join(digest for _, _, _, digest in rows)
    for clear in ("temitope", "adebayo", "example.com", "tope.ade", "instagram"):
        assert clear not in stored


def test_a_different_key_gives_different_digests() -> None:
    terms = blind.index_terms(TEMITOPE)
    with override_settings(TIPLINE_BLIND_INDEX_KEY="first-key-for-this-test"):
        first = set(blind.digests(terms))
    with override_settings(TIPLINE_BLIND_INDEX_KEY="second-key-for-this-test"):
        second = set(blind.digests(terms))
    assert len(first) == len(terms) and not first & second


@pytest.mark.django_db
def test_indexing_twice_replaces_and_unindexing_removes() -> None:
    people_index(owner_kind=KIND, owner_id=7, person=TEMITOPE)
    count = people_index(owner_kind=KIND, owner_id=7, person=TEMITOPE)
    assert BlindIndexEntry.objects.filter(owner_id="7").count() == count
    people_index(owner_kind=KIND, owner_id=7, person=PersonFields(given_names="Ngozi"))
    assert _found(PersonFields(given_names="Temitope", family_name="Adebayo")) == []
    assert people_unindex(owner_kind=KIND, owner_id=7) > 0
    assert not BlindIndexEntry.objects.filter(owner_id="7").exists()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (PersonFields(given_names="Adebayo", family_name="Temitope"), "1"),  # order swapped
        (PersonFields(given_names="Tope", family_name="Adebayo"), "1"),  # short form
        (PersonFields(given_names="Mohammed", family_name="Bello"), "2"),  # spelling
        (PersonFields(given_names="Mike", family_name="Okafor"), "3"),  # nickname
        (PersonFields(given_names="Jurgen", family_name="Schmidt"), "4"),  # transliteration
        (PersonFields(given_names="Amaka", phones=("+2348091112222",)), "5"),  # phone, format
        (PersonFields(phones=("0803 123 4567",)), "1"),  # the phone alone
        (PersonFields(usernames=("Instagram:tope.ade",)), "1"),
    ],
)
def test_candidates_are_found_however_the_person_is_written(
    registry: None, query: PersonFields, expected: str
) -> None:
    assert _found(query)[:1] == [expected]


def test_unrelated_people_are_no_candidates(registry: None) -> None:
    stranger = PersonFields(
        given_names="Oluwaseun",
        family_name="Nwachukwu",
        date_of_birth=date(2011, 4, 2),
        phones=("08171234567",),
    )
    assert _found(stranger) == []


def test_a_shared_birth_year_alone_makes_no_candidate(registry: None) -> None:
    assert _found(PersonFields(given_names="Kelechi", date_of_birth=date(2011, 1, 1))) == []


def test_candidates_carry_the_shared_terms_as_evidence(registry: None) -> None:
    query = PersonFields(given_names="Tope", family_name="Adebayo", phones=("08031234567",))
    (first,) = people_candidates(owner_kind=KIND, person=query)
    kinds = {kind for kind, _ in first.evidence}
    assert {"canon", "name", "phonetic", "phone"} <= kinds
    assert ("phone", "+2348031234567") in first.evidence


def test_other_registries_are_not_searched(registry: None) -> None:
    assert people_candidates(owner_kind="another_registry", person=TEMITOPE) == []


@pytest.mark.django_db
def test_a_fresh_bulk_load_writes_the_same_entries_as_one_by_one() -> None:
    people_index_many(owner_kind=KIND, people=list(REGISTRY.items()), batch_size=2, fresh=True)
    fresh = set(BlindIndexEntry.objects.filter(owner_kind=KIND).values_list(
        "owner_id", "term_kind", "digest"))  # fmt: skip
    BlindIndexEntry.objects.filter(owner_kind=KIND).delete()
    for owner, person in REGISTRY.items():
        people_index(owner_kind=KIND, owner_id=owner, person=person)
    one_by_one = set(BlindIndexEntry.objects.filter(owner_kind=KIND).values_list(
        "owner_id", "term_kind", "digest"))  # fmt: skip
    assert fresh == one_by_one and len(fresh) > 20


@pytest.mark.django_db
def test_a_bulk_load_not_fresh_replaces_the_owners_entries() -> None:
    people_index(owner_kind=KIND, owner_id="3", person=PersonFields(given_names="Ngozi"))
    people_index_many(owner_kind=KIND, people=[("3", REGISTRY["3"])])
    assert _found(PersonFields(given_names="Ngozi")) == []
    assert _found(PersonFields(given_names="Michael", family_name="Okafor")) == ["3"]


def test_candidates_without_evidence_are_the_same_people_and_points(registry: None) -> None:
    query = PersonFields(given_names="Tope", family_name="Adebayo", phones=("08031234567",))
    full = people_candidates(owner_kind=KIND, person=query)
    bare = people_candidates(owner_kind=KIND, person=query, with_evidence=False)
    assert [(c.owner_id, c.points) for c in bare] == [(c.owner_id, c.points) for c in full]
    assert all(c.evidence == () for c in bare) and full[0].evidence
