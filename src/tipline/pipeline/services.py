"""Running pipeline steps and recording their outcomes."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import transaction

from tipline.common.time import utcnow
from tipline.geo.models import RegionalCommand
from tipline.pipeline.choices import Step, StepStatus
from tipline.pipeline.models import StepRun
from tipline.reports.choices import ReportStatus
from tipline.reports.models import Report
from tipline.reports.services import report_set_routing, report_transition

StepFn = Callable[[Report], None]
NATIONAL_DESK = "NAT"


def _intake_step(report: Report) -> None:
    """Move a fresh report into processing. Later steps hang off this same runner."""
    if report.status == ReportStatus.RECEIVED:
        report_transition(report=report, to_status=ReportStatus.PROCESSING, actor=None)


def _route_step(report: Report) -> None:
    """A located state goes to its command through the editable mapping; else the national desk."""
    command = report.state.command if report.state_id and report.state else None
    command = command or RegionalCommand.objects.filter(code=NATIONAL_DESK).first()
    if command is not None and report.routed_command_id != command.pk:
        report_set_routing(report=report, command=command)


# The steps in order. The pipeline issue adds extract, media, locate, link and prioritise.
STEPS: list[tuple[str, StepFn]] = [(Step.INTAKE, _intake_step), (Step.ROUTE, _route_step)]


def _run_step(report: Report, name: str, fn: StepFn) -> bool:
    run, _ = StepRun.objects.get_or_create(report=report, step=name)
    if run.status == StepStatus.DONE:
        return True  # idempotent: a rerun does not redo finished work
    started = time.monotonic()
    run.attempts += 1
    run.started_at = utcnow()
    try:
        with transaction.atomic():
            fn(report)
    except Exception as exc:  # a step's failure is recorded, never lost
        run.status, run.error = StepStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        ok = False
    else:
        run.status, run.error, ok = StepStatus.DONE, "", True
    run.duration_ms = int((time.monotonic() - started) * 1000)
    run.finished_at = utcnow()
    run.save(
        update_fields=["status", "error", "attempts", "duration_ms", "started_at", "finished_at"]
    )
    return ok


def pipeline_run(*, report_id: int) -> bool:
    """Run every unfinished step for a report; mark it awaiting triage when all succeed."""
    report = Report.objects.filter(pk=report_id).first()
    if report is None:
        return True  # deleted or rolled back: nothing to do
    for name, fn in STEPS:
        if not _run_step(report, name, fn):
            return False
        report.refresh_from_db()
    if report.status == ReportStatus.PROCESSING:
        report_transition(report=report, to_status=ReportStatus.AWAITING_TRIAGE, actor=None)
    return True
