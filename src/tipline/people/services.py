"""Writes of the matcher: index and unindex a person, record a decision, fit a profile."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from tipline.audit.services import AuditActor, audit_record
from tipline.common.db import insert_rows
from tipline.common.time import utcnow
from tipline.people import blind
from tipline.people.choices import Decision
from tipline.people.compare import compare
from tipline.people.models import BlindIndexEntry, FittedProfile, MatchDecision
from tipline.people.person import PersonFields
from tipline.people.scoring import MatchProfile, Score, fit_profile
from tipline.people.selectors import people_decisions, people_profile


def candidates_clear_open(
    *, candidates: QuerySet[Any], pair: tuple[str, str], open_state: str
) -> list[tuple[Any, Any, str]]:
    """Delete the undecided rows (state `open_state`) of a caller's candidate rows before they
    are matched again, and give every row found, undecided or decided, as (the two columns of
    `pair`, state). One read, and the delete only when there is something to delete (a report
    matched the first time has no candidates)."""
    rows = list(candidates.values_list("pk", *pair, "state"))
    undecided = [pk for pk, _, _, state in rows if state == open_state]
    if undecided:
        candidates.model.objects.filter(pk__in=undecided).delete()
    return [(left, right, state) for _, left, right, state in rows]


def people_index(*, owner_kind: str, owner_id: str | int, person: PersonFields) -> int:
    """Replace the blind index entries of one person with those of `person` (idempotent);
    returns how many terms are indexed.

    Writes no audit row of its own: the index is derived from the caller's change (a case
    person added or edited), which the caller audits in the same transaction, and holds nothing
    beyond it.
    """
    return _index_batch(owner_kind, [(str(owner_id), person)], fresh=False)


def people_index_many(
    *,
    owner_kind: str,
    people: Iterable[tuple[str | int, PersonFields]],
    batch_size: int = 500,
    fresh: bool = False,
) -> int:
    """`people_index` for many people at once (a registry's first load, a re-key): the same
    entries, written in batches of `batch_size` people, each batch its own transaction.

    `fresh` says none of these owners has entries yet (rows just created, a kind loaded for the
    first time): their old entries are then not looked for. A wrong `fresh` fails on the unique
    constraint, never duplicates a term.
    """
    total, batch = 0, []
    for owner_id, person in people:
        batch.append((str(owner_id), person))
        if len(batch) >= batch_size:
            total += _index_batch(owner_kind, batch, fresh=fresh)
            batch = []
    return total + (_index_batch(owner_kind, batch, fresh=fresh) if batch else 0)


_FIELDS = ("owner_kind", "owner_id", "term_kind", "digest")


def _index_batch(owner_kind: str, batch: list[tuple[str, PersonFields]], *, fresh: bool) -> int:
    rows = [
        (owner_kind, owner, kind, value)
        for owner, person in batch
        for (kind, value) in blind.digests(blind.index_terms(person))
    ]
    with transaction.atomic():
        if not fresh:
            owners = [owner for owner, _ in batch]
            BlindIndexEntry.objects.filter(owner_kind=owner_kind, owner_id__in=owners).delete()
        # Plain rows, not a model per term: the index is written for every person of every
        # report the pipeline runs, some thirty terms each (profiled: about 2 ms of worker CPU
        # per report as models).
        insert_rows(BlindIndexEntry, _FIELDS, rows)
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
    by: AuditActor | None,
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
    by: AuditActor | None = None,
    random_pairs: Iterable[tuple[PersonFields, PersonFields]] = (),
) -> tuple[MatchProfile, FittedProfile]:
    """Re-estimate m (from confirmed pairs) and u (from rejected pairs, plus any random pairs
    the caller draws from its registry) per field and level, and the recalibration, from the
    registry's decisions; store and return the fitted profile. Audited.

    See `scoring.fit_profile` for the estimates.
    """
    profile = people_profile(owner_kind=owner_kind, base=base)
    decisions = people_decisions(owner_kind=owner_kind)
    labelled = [(d.comparison, d.decision == Decision.CONFIRMED) for d in decisions]
    unmatched = [_vector(profile, left, right) for left, right in random_pairs]
    fitted = fit_profile(profile, labelled, unmatched=unmatched)
    confirmed = sum(1 for _, same in labelled if same)
    return fitted, _store_fit(owner_kind, fitted, confirmed, len(labelled) - confirmed, by)


def _vector(profile: MatchProfile, left: PersonFields, right: PersonFields) -> dict[str, Any]:
    return {f: compare(f, left, right).level for f in profile.fields}


def _store_fit(
    owner_kind: str, fitted: MatchProfile, confirmed: int, rejected: int, by: AuditActor | None
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
