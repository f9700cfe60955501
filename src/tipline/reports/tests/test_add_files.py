"""`report_add_files`: more files for a stored report, after its own, never one it holds twice,
audited, and the pipeline asked to hash and match them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tipline.audit.models import AuditEvent
from tipline.reports.drafts import FileDraft
from tipline.reports.models import Report
from tipline.reports.services import report_add_files


def _file(letter: str) -> FileDraft:
    return FileDraft(original_name=f"{letter}.png", sha256=letter * 64, md5=letter * 32, size=3)


def test_files_follow_the_reports_own_and_one_it_holds_is_skipped(lagos_report: Report) -> None:
    report_add_files(report=lagos_report, files=[_file("a")])
    added = report_add_files(report=lagos_report, files=[_file("a"), _file("b"), _file("b")])
    assert [(f.original_name, f.position) for f in added] == [("b.png", 1)]
    assert lagos_report.files.count() == 2
    assert Report.objects.get(pk=lagos_report.pk).pipeline_rerun_at is not None
    audited = AuditEvent.objects.filter(action="report.files_added", object_id=str(lagos_report.pk))
    assert [e.after["already_held"] for e in audited.order_by("pk")] == [0, 2]


def test_nothing_new_changes_nothing(lagos_report: Report) -> None:
    report_add_files(report=lagos_report, files=[_file("c")])
    Report.objects.filter(pk=lagos_report.pk).update(pipeline_rerun_at=None)
    assert report_add_files(report=lagos_report, files=[_file("c")]) == []
    assert Report.objects.get(pk=lagos_report.pk).pipeline_rerun_at is None
    assert AuditEvent.objects.filter(action="report.files_added").count() == 1


def test_a_file_without_content_or_hash_stores_none_of_them(lagos_report: Report) -> None:
    with pytest.raises(ValidationError):
        report_add_files(report=lagos_report, files=[_file("d"), FileDraft(original_name="x")])
    assert lagos_report.files.count() == 0
    assert not AuditEvent.objects.filter(action="report.files_added").exists()
