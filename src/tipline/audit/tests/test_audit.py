from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from tipline.audit.chain import event_hash
from tipline.audit.models import AuditEvent
from tipline.audit.selectors import audit_verify
from tipline.audit.services import audit_record

pytestmark = pytest.mark.django_db


def _events(n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            audit_record(
                actor=None, action="test.event", object_type="thing", object_id=i, after={"i": i}
            )


def _bypass_triggers(sql: str, params: list[str | int]) -> None:
    """What an attacker with database access would do: drop the guard, then change a row."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # superuser: triggers off
            cursor.execute(sql, params)
            cursor.execute("SET session_replication_role = origin")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")  # rolled back with the test
            cursor.execute(sql, params)


def test_intact_chain_verifies(capsys: pytest.CaptureFixture[str]) -> None:
    _events(5)
    assert audit_verify() == []
    call_command("audit", "verify")
    assert "intact: 5 events" in capsys.readouterr().out


def test_events_with_awkward_values_verify_as_written() -> None:
    # Writing and verifying hash the same payload, so values that change shape on their way
    # through the database (dates, decimals, an actor, an address) still verify.
    with transaction.atomic():
        audit_record(
            actor=None,
            action="test.awkward",
            object_type="thing",
            object_id="TL-2026-000001",
            before={"when": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), "n": None},
            after={"amount": Decimal("1.10"), "names": ["Adaeze", "Ọ̀ṣun"]},
            ip="2001:db8::1",
        )
    stored = AuditEvent.objects.get(action="test.awkward")
    assert event_hash(stored) == stored.hash
    assert audit_verify() == []


@pytest.mark.django_db(transaction=True)
def test_audit_record_refuses_to_run_outside_a_transaction() -> None:
    with pytest.raises(RuntimeError, match="inside"):
        audit_record(actor=None, action="x", object_type="y", object_id=1)


def test_orm_refuses_to_edit_or_delete_events() -> None:
    _events(1)
    event = AuditEvent.objects.get()
    event.action = "forged"
    with pytest.raises(RuntimeError, match="append-only"):
        event.save()
    with pytest.raises(RuntimeError, match="append-only"):
        event.delete()


def test_database_trigger_refuses_update() -> None:
    _events(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(action="forged")


def test_postgresql_trigger_refuses_delete() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite relies on the hash chain for deletions (see the migration)")
    _events(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all()._raw_delete(using="default")


def test_verify_catches_an_edited_row_and_exits_non_zero(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _events(4)
    _bypass_triggers("UPDATE audit_auditevent SET action = %s WHERE seq = %s", ["forged", 2])
    problems = audit_verify()
    assert [p.seq for p in problems] == [2]
    assert "edited" in problems[0].problem
    with pytest.raises(CommandError) as raised:
        call_command("audit", "verify")
    assert raised.value.returncode == 1
    assert "event #2" in capsys.readouterr().err


def test_verify_catches_a_deleted_row() -> None:
    _events(4)
    _bypass_triggers("DELETE FROM audit_auditevent WHERE seq = %s", [3])
    problems = audit_verify()
    assert any(p.seq == 4 and "deleted" in p.problem for p in problems)


def test_verify_catches_a_deleted_last_row() -> None:
    _events(3)
    _bypass_triggers("DELETE FROM audit_auditevent WHERE seq = %s", [3])
    assert any("head" in p.problem for p in audit_verify())
