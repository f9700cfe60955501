"""Reads of the matcher: candidates from the blind index, the profile in force, decisions.

`people_score` (in `scoring`) is pure and reads nothing; it is re-exported here so callers find
the matcher's whole read side in one module.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Q

from tipline.people import blind
from tipline.people.choices import TERM_WEIGHTS
from tipline.people.models import BlindIndexEntry, FittedProfile, MatchDecision
from tipline.people.person import PersonFields
from tipline.people.profiles import default_profile
from tipline.people.scoring import MatchProfile, people_score

__all__ = [
    "Candidate",
    "people_candidates",
    "people_decisions",
    "people_profile",
    "people_score",
    "query_digests",
    "terms_table",
]

# A candidate must share more than one name that sounds alike: a name token, a canonical form,
# an identifier, or several weaker terms together.
MIN_POINTS = 3
# The most terms one look-up sends: a person with many names and identifiers is cut here, so the
# statement stays bounded whatever a caller passes.
MAX_QUERY_TERMS = 96
MAX_LIMIT = 500


@dataclass(frozen=True)
class Candidate:
    """An indexed person sharing terms with the one looked up: the owner's id, the points of
    the shared terms (see TERM_WEIGHTS) and the shared terms, as (kind, the looked-up person's
    value) pairs: the evidence that blocked the pair together."""

    owner_id: str
    points: int
    evidence: tuple[tuple[str, str], ...]


def people_candidates(
    *, owner_kind: str, person: PersonFields, limit: int = 50, with_evidence: bool = True
) -> list[Candidate]:
    """The indexed people of `owner_kind` who share the most blind-index terms with `person`,
    best first: two statements, neither decrypting anything (one without `with_evidence`: the
    candidates' evidence is then empty). The caller decrypts these owners and scores them with
    `people_score`."""
    by_digest = query_digests(person)
    if not by_digest:
        return []
    top = _top(owner_kind, by_digest, max(1, min(limit, MAX_LIMIT)))
    if not with_evidence:
        return [Candidate(owner, points, ()) for owner, points in top]
    wanted = _digest_filter(by_digest)
    evidence = _evidence(owner_kind, [owner for owner, _ in top], wanted, by_digest)
    return [Candidate(owner, points, tuple(sorted(evidence[owner]))) for owner, points in top]


def _top(
    owner_kind: str, by_digest: dict[tuple[str, str], blind.Term], limit: int
) -> list[tuple[str, int]]:
    """(owner, points) of the owners sharing the most terms, in SQL written here: the ORM's
    compilation of this statement cost more than running it, on the pipeline's path for every
    report. The looked-up terms are a list of (term kind, digest, weight) rows joined to the
    index, so each term is one index-only read of the (owner_kind, term_kind, digest, owner_id)
    index: an OR of IN lists made PostgreSQL visit the table's pages for every shared term (a
    bitmap scan), three times the time at 100,000 records. A common name is shared by
    thousands; the table itself is never read."""
    rows, params = terms_table(by_digest)
    table = BlindIndexEntry._meta.db_table
    sql = (
        f"WITH q (term_kind, digest, weight) AS (VALUES {rows}) "  # noqa: S608  # placeholders only
        f"SELECT e.owner_id, SUM(q.weight) AS points FROM q JOIN {table} e "
        "ON e.owner_kind = %s AND e.term_kind = q.term_kind AND e.digest = q.digest "
        "GROUP BY e.owner_id HAVING SUM(q.weight) >= %s ORDER BY points DESC, e.owner_id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, owner_kind, MIN_POINTS, limit])
        return [(str(owner), int(total)) for owner, total in cursor.fetchall()]


def terms_table(by_digest: dict[tuple[str, str], blind.Term]) -> tuple[str, list[str | int]]:
    """The looked-up terms as the rows of a VALUES list of (term kind, digest, weight), and its
    parameters: how a look-up joins its terms to the index (see `_top`)."""
    params: list[str | int] = []
    for kind, value in sorted(by_digest):
        params += [kind, value, int(TERM_WEIGHTS[kind])]
    return ", ".join(["(%s, %s, %s)"] * len(by_digest)), params


def query_digests(person: PersonFields) -> dict[tuple[str, str], blind.Term]:
    """The (term kind, digest) pairs every look-up of `person` sends, each with its term: the
    query terms, the strongest kinds first, cut at MAX_QUERY_TERMS."""
    terms = sorted(blind.query_terms(person), key=lambda t: -TERM_WEIGHTS[t[0]])
    return blind.digests(set(terms[:MAX_QUERY_TERMS]))


def _digest_filter(by_digest: dict[tuple[str, str], blind.Term]) -> Q:
    """One (term kind, digests) clause per kind, so each reads the (owner_kind, term_kind,
    digest) index."""
    per_kind: dict[str, list[str]] = defaultdict(list)
    for kind, value in by_digest:
        per_kind[kind].append(value)
    return reduce(or_, (Q(term_kind=k, digest__in=sorted(v)) for k, v in sorted(per_kind.items())))


def _evidence(
    owner_kind: str, owners: list[str], wanted: Q, by_digest: dict[tuple[str, str], blind.Term]
) -> dict[str, set[tuple[str, str]]]:
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    if not owners:
        return found
    rows = BlindIndexEntry.objects.filter(wanted, owner_kind=owner_kind, owner_id__in=owners)
    for owner, kind, value in rows.values_list("owner_id", "term_kind", "digest"):
        found[owner].add(by_digest[(kind, value)])
    return found


def people_profile(*, owner_kind: str, base: MatchProfile | None = None) -> MatchProfile:
    """The profile in force for a registry: its newest fit on labels over `base` (by default
    the registry's own default profile)."""
    profile = base or default_profile(owner_kind)
    fitted = FittedProfile.objects.filter(owner_kind=owner_kind).order_by("-fitted_at").first()
    if fitted is None:
        return profile
    params = fitted.parameters
    stored = params.get("calibration")
    calibration = (float(stored[0]), float(stored[1])) if stored else None
    return profile.with_parameters(
        m={**profile.m, **params["m"]},
        u={**profile.u, **params["u"]},
        calibration=calibration,
    )


def people_decisions(*, owner_kind: str) -> list[MatchDecision]:
    """Every reviewer decision of a registry, oldest first (the labels a fit learns from)."""
    return list(MatchDecision.objects.filter(owner_kind=owner_kind).order_by("at", "pk"))
