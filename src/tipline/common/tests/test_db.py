"""`bulk_save_fields`: many objects' fields in one executemany, nothing else touched; the rows
helpers give the database what the fields would."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.db.models import BinaryField, Field, Model

from tipline.audit.models import AuditEvent
from tipline.common.db import (
    bulk_save_fields,
    insert_rows,
    json_recordset,
    prepare_rows,
    unnest_rows,
)
from tipline.conftest import draft
from tipline.geo.models import State
from tipline.pipeline.models import StepRun
from tipline.reports.models import Report
from tipline.reports.services import report_submit


def test_stores_only_the_named_fields_of_each_object(geo: Any) -> None:
    first, second = (report_submit(draft=draft()).report for _ in range(2))
    first.priority, first.priority_reasons = "P1", ["An invented reason."]
    second.priority, second.priority_reasons = "P3", []
    first.description = "Not to be stored."
    bulk_save_fields([first, second], ["priority", "priority_reasons"])
    stored = {r.pk: r for r in Report.objects.filter(pk__in=[first.pk, second.pk])}
    assert (stored[first.pk].priority, stored[first.pk].priority_reasons) == (
        "P1",
        ["An invented reason."],
    )
    assert (stored[second.pk].priority, stored[second.pk].priority_reasons) == ("P3", [])
    assert stored[first.pk].description != "Not to be stored."


def test_stores_keys_times_and_nothing_in_one_statement(
    geo: Any, django_assert_num_queries: Any
) -> None:
    """A batch's decisions: a key set and one cleared, an aware time, JSON, in one statement."""
    first, second = (report_submit(draft=draft()).report for _ in range(2))
    at = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    first.state, first.triaged_at, first.priority_reasons = None, at, [{"why": "invented"}]
    lagos = State.objects.get(code="LA")
    second.state, second.triaged_at = lagos, None
    with django_assert_num_queries(1):
        bulk_save_fields([first, second], ["state", "triaged_at", "priority_reasons"])
    stored = {r.pk: r for r in Report.objects.filter(pk__in=[first.pk, second.pk])}
    assert (stored[first.pk].state_id, stored[first.pk].triaged_at) == (None, at)
    assert stored[first.pk].priority_reasons == [{"why": "invented"}]
    assert (stored[second.pk].state_id, stored[second.pk].triaged_at) == (lagos.pk, None)


def test_the_last_of_two_changes_to_one_object_stands(geo: Any) -> None:
    report = report_submit(draft=draft()).report
    again = Report.objects.get(pk=report.pk)
    report.priority, again.priority = "P1", "P4"
    bulk_save_fields([report, again], ["priority"])
    assert Report.objects.get(pk=report.pk).priority == "P4"


def test_refuses_a_name_that_is_not_a_column(geo: Any) -> None:
    report = report_submit(draft=draft()).report
    with pytest.raises(ValueError, match="not a column"):
        bulk_save_fields([report], ["people"])


def test_nothing_to_store_is_no_statement(db: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        bulk_save_fields([], ["priority"])


def _fields(model: type[Model], *names: str) -> list[Field[Any, Any]]:
    found = [model._meta.get_field(name) for name in names]
    return [field for field in found if isinstance(field, Field)]


def test_prepared_rows_are_what_each_field_would_give(geo: Any) -> None:
    """The shortcuts for plain values (a key, an aware time, text, numbers) give exactly what the
    field's own preparation gives, and everything else still goes through the field."""
    report = report_submit(draft=draft()).report
    fields = _fields(StepRun, "report", "step", "attempts", "started_at")
    aware = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    naive = aware.replace(tzinfo=None)
    rows = [[report.pk, "extract", 3, aware], [report.pk, "link", 0, None]]
    expected = [
        [f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)]
        for row in rows
    ]
    assert prepare_rows(connection, fields, rows) == expected
    with pytest.warns(RuntimeWarning, match="naive datetime"):  # still the field's own warning
        prepare_rows(connection, fields, [[report.pk, "x", 1, naive]])


def test_rows_inserted_plainly_read_back_as_models(geo: Any) -> None:
    report = report_submit(draft=draft()).report
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    fields = ("report", "step", "status", "error", "attempts", "duration_ms", "started_at")
    insert_rows(StepRun, fields, [(report.pk, "extract", "done", "", 1, None, at)])
    stored = StepRun.objects.get(report=report, step="extract")
    assert (stored.status, stored.attempts, stored.duration_ms, stored.started_at) == (
        "done",
        1,
        None,
        at,
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="unnest is PostgreSQL's")
def test_unnest_rows_select_the_rows_column_by_column(db: Any) -> None:
    fields = _fields(AuditEvent, "seq", "action", "after", "ip")
    select, params = unnest_rows(
        connection, fields, [[7, "a.b", {"x": [1]}, "10.0.0.1"], [8, "c", {}, None]]
    )
    with connection.cursor() as cursor:
        cursor.execute(select, params)
        rows = [(seq, action, json.loads(after), ip) for seq, action, after, ip in cursor]
    assert rows == [(7, "a.b", {"x": [1]}, "10.0.0.1"), (8, "c", {}, None)]  # JSON read as text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="jsonb_to_recordset is PostgreSQL's")
def test_json_recordset_gives_the_rows_back_typed(db: Any) -> None:
    fields = _fields(AuditEvent, "seq", "at", "action", "before", "ip")
    at = datetime(2026, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    rows: list[list[Any]] = [
        [7, at, "a.b", {"x": [1, "é"]}, "10.0.0.1"],
        [8, None, "c'\"d", None, None],
    ]
    select, params = json_recordset(connection, fields, rows)
    with connection.cursor() as cursor:
        cursor.execute(select, params)
        got = [(s, t, a, json.loads(b) if b else b, i) for s, t, a, b, i in cursor]
    assert got == [(7, at, "a.b", {"x": [1, "é"]}, "10.0.0.1"), (8, None, "c'\"d", None, None)]


def test_json_recordset_refuses_a_value_json_cannot_carry(db: Any) -> None:
    field: BinaryField[bytes, bytes] = BinaryField()
    field.set_attributes_from_name("blob")
    with pytest.raises(TypeError, match="no JSON form"):
        json_recordset(connection, [field], [[b"\x00\x01"]])
