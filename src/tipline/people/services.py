"""Writes of the matcher: index and unindex a person, record a decision, fit a profile."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction

from tipline.audit.services import audit_record
from tipline.common.time import utcnow
from tipline.people import blind
from tipline.people.choices import Decision
from tipline.people.compare import LEVELS, compare
from tipline.people.models import BlindIndexEntry, FittedProfile, MatchDecision
from tipline.people.person import PersonFields
from tipline.people.scoring import MatchProfile, Score, fit_calibration, weight_of
from tipline.people.selectors import people_decisions, people_profile

# Pseudo-counts pulling a fitted m or u towards the profile it starts from: a handful of labels
# nudge it, hundreds decide it.
PRIOR_STRENGTH = 5.0


def people_index(*, owner_kind: str, owner_id: str | int, person: PersonFields) -> int:
    """Replace the blind index entries of one person with those of `person` (idempotent);
    returns how many terms are indexed.

    Writes no audit row of its own: the index is derived from the caller's change (a case
    person added or edited), which the caller audits in the same transaction, and holds nothing
    beyond it.
    """
    owner = str(owner_id)
    rows = [
        BlindIndexEntry(owner_kind=owner_kind, owner_id=owner, term_kind=kind, digest=value)
        for (kind, value) in blind.digests(blind.index_terms(person))
    ]
    with transaction.atomic():
        BlindIndexEntry.objects.filter(owner_kind=owner_kind, owner_id=owner).delete()
        BlindIndexEntry.objects.bulk_create(rows)
    return len(rows)


def people_index_many(
    *, owner_kind: str, people: Iterable[tuple[str | int, PersonFields]], batch_size: int = 500
) -> int:
    """`people_index` for many people at once (a registry's first load, a re-key): the same
    entries, written in batches of `batch_size` people, each batch its own transaction."""
    total, batch = 0, []
    for owner_id, person in people:
        batch.append((str(owner_id), person))
        if len(batch) >= batch_size:
            total += _index_batch(owner_kind, batch)
            batch = []
    return total + (_index_batch(owner_kind, batch) if batch else 0)


def _index_batch(owner_kind: str, batch: list[tuple[str, PersonFields]]) -> int:
    rows = [
        BlindIndexEntry(owner_kind=owner_kind, owner_id=owner, term_kind=kind, digest=value)
        for owner, person in batch
        for (kind, value) in blind.digests(blind.index_terms(person))
    ]
    with transaction.atomic():
        owners = [owner for owner, _ in batch]
        BlindIndexEntry.objects.filter(owner_kind=owner_kind, owner_id__in=owners).delete()
        BlindIndexEntry.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def people_unindex(*, owner_kind: str, owner_id: str | int) -> int:
    """Remove one person from the index (as `people_index`, audited by the caller)."""
    with transaction.atomic():
        deleted, _ = BlindIndexEntry.objects.filter(
            owner_kind=owner_kind, owner_id=str(owner_id)
        ).delete()
    return deleted


def people_decide(
    *,
    owner_kind: str,
    left_id: str | int,
    right_id: str | int,
    decision: Decision,
    by: Any,
    score: Score,
) -> MatchDecision:
    """Record a reviewer's confirm or reject of one pair with the score they saw; a later
    decision on the pair replaces the earlier one. Audited."""
    pair: dict[str, Any] = {
        "owner_kind": owner_kind,
        "left_id": str(left_id),
        "right_id": str(right_id),
    }
    values: dict[str, Any] = {
        "decision": decision.value,
        "by": by,
        "at": utcnow(),
        "probability_then": score.probability,
        "comparison": score.comparison,
    }
    with transaction.atomic():
        before = MatchDecision.objects.select_for_update().filter(**pair).first()
        row, _ = MatchDecision.objects.update_or_create(**pair, defaults=values)
        audit_record(
            actor=by,
            action="people.decide",
            object_type="people.MatchDecision",
            object_id=row.pk,
            before={"decision": before.decision} if before else None,
            after={**pair, "decision": row.decision, "probability": row.probability_then},
        )
    return row


def people_fit(
    *,
    owner_kind: str,
    base: MatchProfile | None = None,
    by: Any = None,
    random_pairs: Iterable[tuple[PersonFields, PersonFields]] = (),
) -> tuple[MatchProfile, FittedProfile]:
    """Re-estimate m (from confirmed pairs) and u (from rejected pairs, plus any random pairs
    the caller draws from its registry) per field and level, and the recalibration, from the
    registry's decisions; store and return the fitted profile. Audited.

    Each estimate is smoothed towards the base profile's value with PRIOR_STRENGTH pseudo-counts,
    so a level no reviewer has seen keeps its prior rather than falling to zero.
    """
    profile = people_profile(owner_kind=owner_kind, base=base)
    decisions = people_decisions(owner_kind=owner_kind)
    matches = [d.comparison for d in decisions if d.decision == Decision.CONFIRMED]
    others = [d.comparison for d in decisions if d.decision == Decision.REJECTED]
    others += [_vector(profile, left, right) for left, right in random_pairs]
    m = {f: _estimate(profile.m[f], matches, f) for f in profile.fields}
    u = {f: _estimate(profile.u[f], others, f) for f in profile.fields}
    fitted = profile.with_parameters(m=m, u=u, calibration=None)
    labelled = [
        (weight_of(fitted, d.comparison), d.decision == Decision.CONFIRMED) for d in decisions
    ]
    calibration = fit_calibration([w for w, _ in labelled], [y for _, y in labelled])
    fitted = fitted.with_parameters(m=m, u=u, calibration=calibration)
    return fitted, _store_fit(owner_kind, fitted, len(matches), len(decisions) - len(matches), by)


def _vector(profile: MatchProfile, left: PersonFields, right: PersonFields) -> dict[str, Any]:
    return {f: compare(f, left, right).level for f in profile.fields}


def _estimate(
    prior: Mapping[str, float], vectors: list[dict[str, Any]], field_name: str
) -> dict[str, float]:
    """P(level) among the vectors that compared the field, smoothed towards `prior`."""
    counts = Counter(v.get(field_name) for v in vectors)
    seen = sum(n for level, n in counts.items() if level in LEVELS[field_name])
    return {
        level: (counts[level] + PRIOR_STRENGTH * prior[level]) / (seen + PRIOR_STRENGTH)
        for level in LEVELS[field_name]
    }


def _store_fit(
    owner_kind: str, fitted: MatchProfile, confirmed: int, rejected: int, by: Any
) -> FittedProfile:
    parameters = {
        "fields": list(fitted.fields),
        "m": {f: dict(fitted.m[f]) for f in fitted.fields},
        "u": {f: dict(fitted.u[f]) for f in fitted.fields},
        "prior": fitted.prior,
        "calibration": list(fitted.calibration) if fitted.calibration else None,
    }
    with transaction.atomic():
        row = FittedProfile.objects.create(
            owner_kind=owner_kind,
            fitted_at=utcnow(),
            confirmed=confirmed,
            rejected=rejected,
            parameters=parameters,
        )
        audit_record(
            actor=by,
            action="people.fit",
            object_type="people.FittedProfile",
            object_id=row.pk,
            after={"owner_kind": owner_kind, "confirmed": confirmed, "rejected": rejected},
        )
    return row
