"""The status machine: every allowed move is taken, every other refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.missing.choices import ALLOWED_TRANSITIONS, RecordStatus
from tipline.missing.models import MissingRecord
from tipline.missing.services import missing_transition

ALLOWED = [(a, b) for a, targets in ALLOWED_TRANSITIONS.items() for b in sorted(targets)]
REFUSED = [
    (a, b) for a in RecordStatus.values for b in RecordStatus.values if (a, b) not in ALLOWED
]


def _at(record: MissingRecord, status: str) -> MissingRecord:
    """Put a record straight into `status` (test set-up, not a transition)."""
    closed = record.updated_at if status == RecordStatus.CLOSED else None
    MissingRecord.objects.filter(pk=record.pk).update(status=status, closed_at=closed)
    record.refresh_from_db()
    return record


@pytest.mark.parametrize(("before", "after"), ALLOWED)
def test_every_allowed_move_is_taken_and_recorded(
    before: str, after: str, make_record: Callable[..., MissingRecord], supervisor: User
) -> None:
    record = _at(make_record(), before)
    moved = missing_transition(record=record, to=after, actor=supervisor, note="Invented note.")
    assert moved.status == after
    assert (moved.closed_at is not None) == (after == RecordStatus.CLOSED)
    event = moved.events.order_by("-at", "-pk").first()
    assert event is not None and event.data == {"before": before, "status": after}
    audit = AuditEvent.objects.filter(action="missing.status_changed").order_by("-seq").first()
    assert audit is not None and audit.after["status"] == after


@pytest.mark.parametrize(("before", "after"), REFUSED)
def test_every_other_move_is_refused(
    before: str, after: str, make_record: Callable[..., MissingRecord], supervisor: User
) -> None:
    record = _at(make_record(), before)
    with pytest.raises(ValidationError, match="cannot go from"):
        missing_transition(record=record, to=after, actor=supervisor, note="Invented note.")
    record.refresh_from_db()
    assert record.status == before


def test_only_a_supervisor_or_administrator_verifies(
    make_record: Callable[..., MissingRecord], lagos_analyst: User
) -> None:
    record = make_record()
    with pytest.raises(ValidationError, match="supervisor"):
        missing_transition(record=record, to=RecordStatus.VERIFIED, actor=lagos_analyst)


def test_closing_an_unverified_registration_needs_a_note(
    make_record: Callable[..., MissingRecord], supervisor: User
) -> None:
    record = make_record()
    with pytest.raises(ValidationError, match="why"):
        missing_transition(record=record, to=RecordStatus.CLOSED, actor=supervisor)
    closed = missing_transition(
        record=record, to=RecordStatus.CLOSED, actor=supervisor, note="A duplicate (invented)."
    )
    assert "A duplicate (invented)." in [e.body for e in closed.events.all()]
