"""Running the pipeline: idempotent steps, each with its outcome recorded, retried with backoff.

Only one worker processes a report at a time: it takes a lease on the report with a conditional
UPDATE (the healthchecks pattern), which works the same on SQLite and PostgreSQL. A lease left by
a killed worker expires and the report is picked up again; because every step replaces its own
output, running it again gives the same result with no duplicates.

One run is one transaction, each step in a savepoint of it: a failing step rolls back only its
own work (and its failure is recorded), a killed worker leaves nothing half-done, and a report
costs one commit rather than twenty. On PostgreSQL that commit does not wait for the WAL flush
(`synchronous_commit = off`, for this transaction only): what the pipeline writes is derived from
the stored report and is recomputed by the sweep if a crash loses the last few milliseconds.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Q

from tipline.common.time import utcnow
from tipline.pipeline.choices import Step, StepStatus
from tipline.pipeline.models import StepRun
from tipline.pipeline.steps import STEPS
from tipline.reports.choices import ReportStatus
from tipline.reports.models import Report
from tipline.reports.services import report_transition

LEASE = timedelta(minutes=5)
# What steps may change on the report (some through queryset updates): reloaded after each step.
# Only these, because reloading the whole row would decrypt the raw record every time.
_STEP_OUTPUTS = [
    "status",
    "state",
    "country",
    "location_source",
    "location_confidence",
    "location_lga",
    "location_detail",
    "priority",
    "priority_reasons",
    "routed_command",
    "cluster_id",
    "needs_attention",
]
MAX_ATTEMPTS = 5
StepFn = Callable[[Report], None]


@dataclass(frozen=True)
class RunOutcome:
    """How a pipeline run ended: done, retry later (after `retry_in` seconds), or busy elsewhere."""

    done: bool
    retry_in: float | None = None
    busy: bool = False


def backoff_seconds(attempts: int) -> float:
    """30 s, 60 s, 120 s, 240 s... between attempts of a failing step."""
    return float(30 * 2 ** max(attempts - 1, 0))


def _claim(report_id: int, owner: str) -> bool:
    now = utcnow()
    free = Q(pipeline_lease_until__isnull=True) | Q(pipeline_lease_until__lt=now)
    return bool(
        Report.objects.filter(free, pk=report_id).update(
            pipeline_lease_until=now + LEASE, pipeline_lease_owner=owner
        )
    )


def _release(report_id: int, owner: str) -> None:
    Report.objects.filter(pk=report_id, pipeline_lease_owner=owner).update(
        pipeline_lease_until=None, pipeline_lease_owner=""
    )


def _record(run: StepRun, started: float, error: str) -> None:
    run.status = StepStatus.FAILED if error else StepStatus.DONE
    if error and run.attempts >= MAX_ATTEMPTS:
        run.status = StepStatus.NEEDS_ATTENTION
    run.error, run.finished_at = error[:2000], utcnow()
    run.duration_ms = int((time.monotonic() - started) * 1000)
    if run.pk is None:
        run.save()
        return
    run.save(
        update_fields=["status", "error", "attempts", "duration_ms", "started_at", "finished_at"]
    )


def _run_step(
    report: Report, name: str, fn: StepFn, *, force: bool, runs: dict[str, StepRun]
) -> StepRun:
    run = runs.get(name) or StepRun(report=report, step=name)
    if run.status == StepStatus.DONE and not force and run.pk:
        return run  # idempotent: a rerun does not redo finished work
    if run.status == StepStatus.NEEDS_ATTENTION and not force and run.pk:
        return run
    started, error = time.monotonic(), ""
    run.attempts, run.started_at = run.attempts + 1, utcnow()
    try:
        with transaction.atomic():  # a savepoint: a failing step rolls back only itself
            fn(report)
    except Exception as exc:  # a step's failure is recorded and retried, never lost
        error = f"{type(exc).__name__}: {exc}"
    _record(run, started, error)
    return run


def _flag(report: Report) -> None:
    Report.objects.filter(pk=report.pk).update(needs_attention=True)


def _finish(report: Report) -> None:
    report.refresh_from_db()
    if report.status == ReportStatus.PROCESSING:
        report_transition(report=report, to_status=ReportStatus.AWAITING_TRIAGE, actor=None)


def _steps(report: Report, only: set[str] | None, force: bool) -> RunOutcome:
    runs = {run.step: run for run in StepRun.objects.filter(report=report)}
    for name, fn in STEPS:
        if only is not None and name not in only and name != Step.INTAKE:
            continue
        run = _run_step(report, name, fn, force=force and name != Step.INTAKE, runs=runs)
        if run.status == StepStatus.FAILED:
            return RunOutcome(done=False, retry_in=backoff_seconds(run.attempts))
        if run.status == StepStatus.NEEDS_ATTENTION:
            _flag(report)
            return RunOutcome(done=False)
        report.refresh_from_db(fields=_STEP_OUTPUTS)
    _finish(report)
    return RunOutcome(done=True)


def _commit_without_flush_wait() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def pipeline_run(
    *, report_id: int, only: set[str] | None = None, force: bool = False
) -> RunOutcome:
    """Run the report's unfinished steps (or `only` those, `force`d to rerun) under a lease."""
    owner = secrets.token_hex(8)
    if not Report.objects.filter(pk=report_id).exists():
        return RunOutcome(done=True)  # deleted or rolled back: nothing to do
    if not _claim(report_id, owner):
        return RunOutcome(done=False, busy=True, retry_in=LEASE.total_seconds())
    try:
        with transaction.atomic():
            _commit_without_flush_wait()
            return _steps(Report.objects.get(pk=report_id), only, force)
    finally:
        _release(report_id, owner)


def reports_needing_pipeline(*, older_than: timedelta = LEASE) -> list[int]:
    """Reports stuck before triage with no live lease (their worker died): to be re-enqueued."""
    cutoff = utcnow() - older_than
    stuck = Report.objects.filter(
        status__in=[ReportStatus.RECEIVED, ReportStatus.PROCESSING],
        needs_attention=False,
        created_at__lt=cutoff,
    ).filter(Q(pipeline_lease_until__isnull=True) | Q(pipeline_lease_until__lt=utcnow()))
    # A report with a failed step already has its retry queued, after its backoff.
    stuck = stuck.exclude(steps__status=StepStatus.FAILED)
    return list(stuck.values_list("pk", flat=True)[:1000])
