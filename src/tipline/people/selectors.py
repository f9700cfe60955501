"""Reads of the matcher: candidates from the blind index, the profile in force, decisions.

`people_score` (in `scoring`) is pure and reads nothing; it is re-exported here so callers find
the matcher's whole read side in one module.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Case, IntegerField, Q, Sum, Value, When

from tipline.people import blind
from tipline.people.choices import TERM_WEIGHTS
from tipline.people.models import BlindIndexEntry, FittedProfile, MatchDecision
from tipline.people.person import PersonFields
from tipline.people.profiles import default_profile
from tipline.people.scoring import MatchProfile, people_score

__all__ = ["Candidate", "people_candidates", "people_decisions", "people_profile", "people_score"]

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
    by_digest = _query_digests(person)
    if not by_digest:
        return []
    wanted = _digest_filter(by_digest)
    top = list(
        BlindIndexEntry.objects.filter(wanted, owner_kind=owner_kind)
        .values("owner_id")
        .annotate(points=Sum(_points()))
        .filter(points__gte=MIN_POINTS)
        .order_by("-points", "owner_id")
        .values_list("owner_id", "points")[: max(1, min(limit, MAX_LIMIT))]
    )
    if not with_evidence:
        return [Candidate(owner, points, ()) for owner, points in top]
    evidence = _evidence(owner_kind, [owner for owner, _ in top], wanted, by_digest)
    return [Candidate(owner, points, tuple(sorted(evidence[owner]))) for owner, points in top]


def _query_digests(person: PersonFields) -> dict[tuple[str, str], blind.Term]:
    terms = sorted(blind.query_terms(person), key=lambda t: -TERM_WEIGHTS[t[0]])
    return blind.digests(set(terms[:MAX_QUERY_TERMS]))


def _digest_filter(by_digest: dict[tuple[str, str], blind.Term]) -> Q:
    """One (term kind, digests) clause per kind, so each reads the (owner_kind, term_kind,
    digest) index."""
    per_kind: dict[str, list[str]] = defaultdict(list)
    for kind, value in by_digest:
        per_kind[kind].append(value)
    return reduce(or_, (Q(term_kind=k, digest__in=sorted(v)) for k, v in sorted(per_kind.items())))


def _points() -> Case:
    whens = [When(term_kind=kind, then=Value(w)) for kind, w in TERM_WEIGHTS.items()]
    return Case(*whens, default=Value(0), output_field=IntegerField())


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
