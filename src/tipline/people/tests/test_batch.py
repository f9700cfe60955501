"""The batch look-up gives, for each person, what the one-person look-up gives."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tipline.people import batch
from tipline.people.batch import people_candidates_many
from tipline.people.person import PersonFields
from tipline.people.selectors import people_candidates
from tipline.people.services import people_index_many
from tipline.people.synthetic import Population

KIND = "test_batch_registry"


@pytest.fixture
def looked_up(db: None) -> list[tuple[str, PersonFields]]:
    """An indexed registry of 150 invented people, and 40 people to look up: corrupted copies of
    registered ones, people not registered, and one without any name or identifier."""
    population = Population(23)
    registry = [population.person() for _ in range(150)]
    people_index_many(owner_kind=KIND, people=enumerate(registry))
    queries = population.queries(registry, 39)
    return [(f"q{i}", q.person) for i, q in enumerate(queries)] + [("empty", PersonFields())]


def _one_by_one(
    people: list[tuple[str, PersonFields]], limit: int
) -> dict[str, list[tuple[str, int]]]:
    return {
        key: [
            (c.owner_id, c.points)
            for c in people_candidates(
                owner_kind=KIND, person=person, limit=limit, with_evidence=False
            )
        ]
        for key, person in people
    }


@pytest.mark.parametrize("limit", [50, 3])
def test_same_candidates_as_one_person_at_a_time(
    looked_up: list[tuple[str, PersonFields]], limit: int
) -> None:
    expected = _one_by_one(looked_up, limit)
    assert sum(len(found) for found in expected.values()) > len(looked_up)  # a real comparison
    with CaptureQueriesContext(connection) as queries:
        found = people_candidates_many(owner_kind=KIND, people=looked_up, limit=limit)
    assert found == expected
    assert len(queries) == 1
    assert found["empty"] == []


def test_terms_beyond_one_statement_go_in_several(
    looked_up: list[tuple[str, PersonFields]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "TERMS_PER_STATEMENT", 60)
    with CaptureQueriesContext(connection) as queries:
        found = people_candidates_many(owner_kind=KIND, people=looked_up)
    assert found == _one_by_one(looked_up, 50)
    assert len(queries) > 5


def test_other_registries_are_not_searched(looked_up: list[tuple[str, PersonFields]]) -> None:
    found = people_candidates_many(owner_kind="another_registry", people=looked_up)
    assert found == {key: [] for key, _ in looked_up}


def test_nobody_to_look_up_asks_nothing(db: None) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert people_candidates_many(owner_kind=KIND, people=[]) == {}
    assert len(queries) == 0
