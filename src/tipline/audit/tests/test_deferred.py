"""Audit events held by `audit_deferred` and written together at the end of the block."""

from __future__ import annotations

import pytest
from django.db import transaction

from tipline.audit.models import AuditChainHead, AuditEvent
from tipline.audit.selectors import audit_verify
from tipline.audit.services import audit_deferred, audit_record

pytestmark = pytest.mark.django_db


def _record(i: int) -> AuditEvent:
    return audit_record(actor=None, action="test.held", object_type="thing", object_id=i)


def test_held_events_are_written_at_the_end_in_order_and_chain() -> None:
    with transaction.atomic(), audit_deferred():
        held = [_record(i) for i in range(3)]
        assert not AuditEvent.objects.exists()  # nothing written, the head not yet locked
        assert not AuditChainHead.objects.exists()
    stored = list(AuditEvent.objects.values_list("seq", "object_id"))
    assert stored == [(1, "0"), (2, "1"), (3, "2")]
    assert [e.pk for e in held] == list(AuditEvent.objects.values_list("pk", flat=True))
    assert audit_verify() == []


def test_an_exception_discards_the_held_events() -> None:
    with pytest.raises(RuntimeError), transaction.atomic(), audit_deferred():
        _record(1)
        raise RuntimeError("invented failure")
    assert not AuditEvent.objects.exists()


def test_a_failed_nested_block_drops_only_its_own_events() -> None:
    with transaction.atomic(), audit_deferred():
        _record(1)
        with pytest.raises(RuntimeError), transaction.atomic(), audit_deferred():
            _record(2)
            raise RuntimeError("invented failure")
        with transaction.atomic(), audit_deferred():
            _record(3)
        assert not AuditEvent.objects.exists()  # the inner blocks handed theirs to the outer
    assert list(AuditEvent.objects.values_list("object_id", flat=True)) == ["1", "3"]
    assert audit_verify() == []


def test_held_and_immediate_events_share_one_unbroken_chain() -> None:
    with transaction.atomic():
        _record(1)
    with transaction.atomic(), audit_deferred():
        _record(2)
    with transaction.atomic():
        _record(3)
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [1, 2, 3]
    assert audit_verify() == []


@pytest.mark.django_db(transaction=True)  # no test-wide transaction around this one
def test_deferring_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match="inside"), audit_deferred():
        pass  # pragma: no cover
