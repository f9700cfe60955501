"""Candidates for many people in one statement: the pipeline's look-up for a batch of reports.

`people_candidates` (in `selectors`) asks for one person: one statement, one round trip and one
compiled query each. The pipeline looks up every person of every report of a batch, for each
registry, and those statements were a tenth of its time. Here the looked-up terms of all the
people travel as one table of values (person, term kind, digest, points), joined to the blind
index and ranked per person in SQL, so a batch costs one statement per registry (more only when
the terms are too many for one statement's parameters).

Same rule as `people_candidates`: the same terms (`query_terms`, cut at MAX_QUERY_TERMS by
weight), the same points, at least MIN_POINTS, best first with ties broken by owner id. Nothing
is decrypted. The evidence (which terms were shared) is not read: the pipeline scores the
candidates and keeps the scorer's reasons, not the blocking terms.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from django.db import connection

from tipline.common.db import rows_table
from tipline.people.choices import TERM_WEIGHTS
from tipline.people.models import BlindIndexEntry
from tipline.people.person import PersonFields
from tipline.people.selectors import MAX_LIMIT, MIN_POINTS, query_digests

__all__ = [
    "TERMS_PER_STATEMENT",
    "WANTED_TYPES",
    "lookup_terms",
    "people_candidates_many",
    "ranked_owners_sql",
]

# Terms per statement: four parameters each, well under SQLite's 32,766 and PostgreSQL's 65,535.
TERMS_PER_STATEMENT = 4000

# The rule of `people_candidates`, per person of a `wanted (person, term_kind, digest, points)`
# table: the owners of one kind sharing terms with the person, with at least MIN_POINTS, ranked
# best first with ties broken by owner id. Two WITH clauses (the second, `ranked_owners`, gives
# each owner its `place`); parameters: the owner kind, MIN_POINTS.
_RANKED_OWNERS = """
shared AS (
    SELECT wanted.person, entry.owner_id, SUM(wanted.points) AS points
    FROM wanted JOIN {table} entry
      ON entry.owner_kind = %s AND entry.term_kind = wanted.term_kind
     AND entry.digest = wanted.digest
    GROUP BY wanted.person, entry.owner_id
    HAVING SUM(wanted.points) >= %s
),
ranked_owners AS (
    SELECT person, owner_id, points,
           ROW_NUMBER() OVER (PARTITION BY person ORDER BY points DESC, owner_id) AS place
    FROM shared
)"""
_SQL = """
WITH wanted (person, term_kind, digest, points) AS ({wanted}),{ranked_owners}
SELECT person, owner_id, points FROM ranked_owners WHERE place <= %s ORDER BY person, place
"""
# The columns of the `wanted` table: person, term kind, digest, points.
WANTED_TYPES = ("integer", "text", "text", "integer")


def ranked_owners_sql() -> str:
    """The WITH clauses that rank, per person of a `wanted` table, the indexed owners sharing
    terms with them (see `_RANKED_OWNERS`): for statements that go on from there."""
    return _RANKED_OWNERS.format(table=BlindIndexEntry._meta.db_table)


def people_candidates_many(
    *, owner_kind: str, people: Sequence[tuple[Hashable, PersonFields]], limit: int = 50
) -> dict[Hashable, list[tuple[str, int]]]:
    """For each (key, person) of `people`, the indexed people of `owner_kind` sharing the most
    blind-index terms with that person, as (owner id, points), best first: what
    `people_candidates(..., with_evidence=False)` gives for each, in one statement per
    TERMS_PER_STATEMENT looked-up terms. A person without terms gets an empty list."""
    limit = max(1, min(limit, MAX_LIMIT))
    found: dict[Hashable, list[tuple[str, int]]] = {key: [] for key, _ in people}
    chunk: list[tuple[int, str, str, int]] = []
    keys: list[Hashable] = []
    for key, person in people:
        terms = lookup_terms(person)
        if chunk and len(chunk) + len(terms) > TERMS_PER_STATEMENT:
            _look_up(owner_kind, chunk, keys, limit, found)
            chunk, keys = [], []
        chunk += [(len(keys), kind, value, points) for kind, value, points in terms]
        keys.append(key)
    if chunk:
        _look_up(owner_kind, chunk, keys, limit, found)
    return found


def lookup_terms(person: PersonFields) -> list[tuple[str, str, int]]:
    """The person's looked-up terms as (kind, digest, points), as `people_candidates` picks
    them (the heaviest MAX_QUERY_TERMS)."""
    return [(kind, value, TERM_WEIGHTS[kind]) for kind, value in sorted(query_digests(person))]


def _look_up(
    owner_kind: str,
    rows: list[tuple[int, str, str, int]],
    keys: list[Hashable],
    limit: int,
    found: dict[Hashable, list[tuple[str, int]]],
) -> None:
    wanted, params = rows_table(connection, rows, WANTED_TYPES)
    sql = _SQL.format(wanted=wanted, ranked_owners=ranked_owners_sql())
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, owner_kind, MIN_POINTS, limit])
        for person, owner, points in cursor.fetchall():
            found[keys[int(person)]].append((str(owner), int(points)))
