"""`bulk_save_fields`: many objects' fields in one executemany, nothing else touched."""

from __future__ import annotations

from typing import Any

import pytest

from tipline.common.db import bulk_save_fields
from tipline.conftest import draft
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


def test_refuses_a_name_that_is_not_a_column(geo: Any) -> None:
    report = report_submit(draft=draft()).report
    with pytest.raises(ValueError, match="not a column"):
        bulk_save_fields([report], ["people"])


def test_nothing_to_store_is_no_statement(db: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        bulk_save_fields([], ["priority"])
