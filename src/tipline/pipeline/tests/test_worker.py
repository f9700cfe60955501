from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from tipline.conftest import draft
from tipline.pipeline.models import StepRun
from tipline.pipeline.services import pipeline_run
from tipline.reports.choices import ReportStatus
from tipline.reports.drafts import IncidentDraft
from tipline.reports.models import Report
from tipline.reports.services import report_submit


@pytest.mark.django_db(transaction=True)
def test_worker_really_runs_the_enqueued_pipeline_task(geo: Any) -> None:
    report = report_submit(draft=draft()).report
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    call_command("worker", "--batch", verbosity=0)
    report.refresh_from_db()
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert report.status == ReportStatus.AWAITING_TRIAGE
    assert report.routed_command is not None and report.routed_command.code == "LAG"
    steps = ["intake", "extract", "media", "locate", "link", "index", "prioritise", "route"]
    assert set(StepRun.objects.values_list("step", "status")) == {(s, "done") for s in steps}
    assert report.priority != ""


def test_rerunning_the_pipeline_changes_nothing(geo: Any) -> None:
    report = report_submit(draft=draft()).report
    pipeline_run(report_id=report.pk)
    before = list(StepRun.objects.values_list("step", "status", "attempts"))
    pipeline_run(report_id=report.pk)
    assert list(StepRun.objects.values_list("step", "status", "attempts")) == before
    assert Report.objects.get(pk=report.pk).status == ReportStatus.AWAITING_TRIAGE


def test_report_without_state_goes_to_the_national_desk(geo: Any) -> None:
    no_state = draft(incident=IncidentDraft(type="forced_begging", description="Invented."))
    report = report_submit(draft=no_state).report
    pipeline_run(report_id=report.pk)
    routed = Report.objects.get(pk=report.pk).routed_command
    assert routed is not None and routed.code == "NAT"


def test_missing_report_is_a_no_op(db: Any) -> None:
    assert pipeline_run(report_id=987654).done is True
