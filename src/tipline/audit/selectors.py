"""Reading and verifying the audit chain."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from tipline.audit.chain import GENESIS, event_hash
from tipline.audit.models import AuditChainHead, AuditEvent


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
