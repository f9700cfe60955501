"""Reading and verifying the audit chain; reading look-ups."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from tipline.audit.chain import GENESIS, event_hash
from tipline.audit.models import AuditChainHead, AuditEvent, LookupEvent


@dataclass(frozen=True)
class ChainProblem:
    """One break in the chain, in words an auditor can act on."""

    seq: int
    problem: str


def events_for_object(*, object_type: str, object_id: str | int) -> QuerySet[AuditEvent]:
    """The history of one object, oldest first."""
    return AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id)).order_by(
        "seq"
    )


def _walk(events: Iterator[AuditEvent]) -> Iterator[ChainProblem]:
    expected_seq, expected_prev = 1, GENESIS
    for event in events:
        if event.seq != expected_seq:
            kind = "deleted" if event.seq > expected_seq else "inserted"
            yield ChainProblem(event.seq, f"sequence jumps from {expected_seq - 1}: row {kind}")
        if event.prev_hash != expected_prev:
            yield ChainProblem(
                event.seq, "previous-hash link broken: a row was inserted or deleted"
            )
        if event_hash(event) != event.hash:
            yield ChainProblem(event.seq, "content does not match its hash: row edited")
        expected_seq, expected_prev = event.seq + 1, event.hash
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != expected_prev):
        yield ChainProblem(head.last_seq, "chain head does not match the last row: rows deleted")


def audit_verify() -> list[ChainProblem]:
    """Walk the whole chain and list every problem found (empty when intact)."""
    return list(_walk(AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)))


@dataclass(frozen=True)
class LookupFilters:
    """What the supervisors' look-up page asks for; every field left empty means "any".

    `actors` limits the rows to look-ups by those users (a values queryset of ids, the viewer's
    scope); None is every user. `identifier_hashes` are the keyed hashes of one identifier;
    `holding` (a values queryset of report references) adds the look-ups of the reports that
    hold it: whoever opened such a report saw the identifier too.
    """

    actors: QuerySet[Any] | None = None
    actor_id: int | None = None
    kind: str = ""
    since: datetime | None = None
    until: datetime | None = None
    object_ref: str = ""
    identifier_hashes: frozenset[str] = frozenset()
    holding: QuerySet[Any] | None = None


@dataclass(frozen=True)
class LookupPage:
    """One page of look-ups, newest first; `after` is the keyset cursor of the next page."""

    rows: list[LookupEvent]
    after: tuple[datetime, int] | None


def lookups_filtered(filters: LookupFilters) -> QuerySet[LookupEvent]:
    """Look-ups matching the filters, newest first, with their actors."""
    qs = LookupEvent.objects.select_related("actor").order_by("-at", "-id")
    if filters.actors is not None:
        qs = qs.filter(actor_id__in=filters.actors)
    conditions = {
        "actor_id": filters.actor_id,
        "kind": filters.kind,
        "at__gte": filters.since,
        "at__lt": filters.until,
        "object_ref": filters.object_ref,
    }
    qs = qs.filter(**{name: value for name, value in conditions.items() if value})
    if not filters.identifier_hashes:
        return qs
    about = Q(identifier_hash__in=filters.identifier_hashes)
    if filters.holding is not None:
        about |= Q(object_ref__in=filters.holding)
    return qs.filter(about)


def lookups_page(
    filters: LookupFilters, *, after: tuple[datetime, int] | None = None, size: int = 100
) -> LookupPage:
    """A page of `lookups_filtered` from the cursor on: by (time, id), so a page costs the same
    however deep it is, and rows written meanwhile never shift it."""
    qs = lookups_filtered(filters)
    if after is not None:
        at, pk = after
        qs = qs.filter(Q(at__lt=at) | Q(at=at, id__lt=pk))
    rows = list(qs[: size + 1])
    last = rows[size - 1] if len(rows) > size else None
    return LookupPage(rows[:size], (last.at, last.pk) if last else None)
