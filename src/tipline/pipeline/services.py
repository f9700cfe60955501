"""Running the pipeline: idempotent steps, each with its outcome recorded, retried with backoff.

Only one worker processes a report at a time: it takes a lease on the report with a conditional
UPDATE (the healthchecks pattern), which works the same on SQLite and PostgreSQL. A lease left by
a killed worker expires and the report is picked up again; because every step replaces its own
output, running it again gives the same result with no duplicates.

One run is one transaction: a killed worker leaves nothing half-done, and a report costs one
commit rather than twenty. Steps run without a savepoint each (two statements each); if one
fails, the run is rolled back and redone with each step in a savepoint, so the failing step rolls
back only its own work and its failure is recorded. The run's audit events are written together
at its end (`audit_deferred`), so concurrent workers wait for the audit chain's lock only then.

On PostgreSQL the commit does not wait for the WAL flush (`synchronous_commit = off`, for this
transaction only): what the pipeline writes is derived from the stored report and is recomputed
by the sweep if a crash loses the last few milliseconds.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tipline.audit.services import audit_deferred
from tipline.common.time import utcnow
from tipline.pipeline.choices import Step, StepStatus
from tipline.pipeline.facts import BatchFacts
from tipline.pipeline.models import StepRun
from tipline.pipeline.steps import BATCH_STEPS, STEPS
from tipline.reports.choices import ReportStatus
from tipline.reports.models import Report, ReportFile
from tipline.reports.services import (
    report_transition,
    reports_save_decisions,
    reports_transition,
)

logger = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5
StepFn = Callable[[Report], None]
_RUN_FIELDS = ["status", "error", "attempts", "duration_ms", "started_at", "finished_at"]


@dataclass(frozen=True)
class RunOutcome:
    """How a pipeline run ended: done, retry later (after `retry_in` seconds), or busy elsewhere."""

    done: bool
    retry_in: float | None = None
    busy: bool = False


class _StepFailed(Exception):
    """A step raised in a run without savepoints: the run is rolled back and done carefully."""


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


def _release_all(report_ids: list[int], owner: str) -> None:
    Report.objects.filter(pk__in=report_ids, pipeline_lease_owner=owner).update(
        pipeline_lease_until=None, pipeline_lease_owner=""
    )


def _record(run: StepRun, started: float, error: str) -> None:
    run.status = StepStatus.FAILED if error else StepStatus.DONE
    if error and run.attempts >= MAX_ATTEMPTS:
        run.status = StepStatus.NEEDS_ATTENTION
    run.error, run.finished_at = error[:2000], utcnow()
    run.duration_ms = int((time.monotonic() - started) * 1000)


def _save_runs(runs: list[StepRun]) -> None:
    """Write the outcomes of the steps run: two statements, however many steps ran."""
    stored = [run for run in runs if run.pk is not None]  # before bulk_create gives the rest pks
    StepRun.objects.bulk_create([run for run in runs if run.pk is None])
    if stored:
        StepRun.objects.bulk_update(stored, _RUN_FIELDS)


def _call(fn: StepFn, report: Report, careful: bool) -> str:
    """Run one step. A careful run puts it in a savepoint, so a failure rolls back only its own
    work and is recorded; a fast run (no savepoint statements) gives up on the first failure."""
    if not careful:
        try:
            fn(report)
        except Exception as exc:
            raise _StepFailed from exc
        return ""
    try:
        with transaction.atomic(), audit_deferred():
            fn(report)
    except Exception as exc:  # a step's failure is recorded and retried, never lost
        return f"{type(exc).__name__}: {exc}"
    return ""


def _run_step(
    report: Report, name: str, fn: StepFn, *, force: bool, runs: dict[str, StepRun], careful: bool
) -> StepRun | None:
    """Run the step unless it is finished (or given up on); the run record, or None if skipped."""
    run = runs.get(name) or StepRun(report=report, step=name)
    if run.pk and not force and run.status in (StepStatus.DONE, StepStatus.NEEDS_ATTENTION):
        return None  # idempotent: a rerun does not redo finished work
    started = time.monotonic()
    run.attempts, run.started_at = run.attempts + 1, utcnow()
    _record(run, started, _call(fn, report, careful))
    return run


def _flag(report: Report) -> None:
    Report.objects.filter(pk=report.pk).update(needs_attention=True)


def _finish(report: Report) -> None:
    if report.status == ReportStatus.PROCESSING:
        report_transition(report=report, to_status=ReportStatus.AWAITING_TRIAGE, actor=None)


def _steps(report: Report, only: set[str] | None, force: bool, careful: bool) -> RunOutcome:
    runs = {run.step: run for run in report.steps.all()}
    ran: list[StepRun] = []
    outcome = RunOutcome(done=True)
    for name, fn in STEPS:
        if only is not None and name not in only and name != Step.INTAKE:
            continue
        run = _run_step(
            report, name, fn, force=force and name != Step.INTAKE, runs=runs, careful=careful
        )
        if run is None:
            continue
        ran.append(run)
        if run.status == StepStatus.FAILED:
            outcome = RunOutcome(done=False, retry_in=backoff_seconds(run.attempts))
            break
        if run.status == StepStatus.NEEDS_ATTENTION:
            _flag(report)
            outcome = RunOutcome(done=False)
            break
    else:
        _finish(report)
    _save_runs(ran)
    return outcome


def _loaded() -> QuerySet[Report]:
    """Reports with what the steps read, in a few queries rather than one per step and report."""
    related = ("people", "internet_details", "addenda", "files", "steps")
    query = Report.objects.select_related("state__command", "routed_command")
    return query.prefetch_related(*related)


def _load(report_id: int) -> Report:
    return _loaded().get(pk=report_id)


def _commit_without_flush_wait() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _run(report_id: int, only: set[str] | None, force: bool, careful: bool) -> RunOutcome:
    with transaction.atomic(), audit_deferred():
        _commit_without_flush_wait()
        return _steps(_load(report_id), only, force, careful)


def pipeline_run(
    *, report_id: int, only: set[str] | None = None, force: bool = False
) -> RunOutcome:
    """Run the report's unfinished steps (or `only` those, `force`d to rerun) under a lease.

    First without a savepoint per step, the common case; if a step fails, that run is rolled
    back and the report is run again with each step in a savepoint, to record the failure and
    keep what the steps before it did. Steps are idempotent: the second run gives what one would.
    """
    owner = secrets.token_hex(8)
    if not _claim(report_id, owner):
        if not Report.objects.filter(pk=report_id).exists():
            return RunOutcome(done=True)  # deleted or rolled back: nothing to do
        return RunOutcome(done=False, busy=True, retry_in=LEASE.total_seconds())
    try:
        return _run_leased(report_id, only, force)
    finally:
        _release_all([report_id], owner)


def _run_leased(report_id: int, only: set[str] | None, force: bool) -> RunOutcome:
    try:
        return _run(report_id, only, force, careful=False)
    except _StepFailed:
        return _run(report_id, only, force, careful=True)


def _finished(report_id: int) -> bool:
    done = StepRun.objects.filter(report_id=report_id, status=StepStatus.DONE)
    return done.count() == len(STEPS)


# Lease the oldest %(size)s fresh reports: received, never run, not leased, and without files (whose
# hashing can take long enough to hold a whole batch up; they go one by one). One statement, as
# every task of a backlog runs it. It looks only at the backlog's head (the oldest %(window)s
# received, from index report_fresh_oldest), so the checks for step records and files probe a few
# rows by index; over the whole backlog PostgreSQL would merge-join every step record there is.
# SKIP LOCKED (PostgreSQL) gives concurrent workers disjoint batches; SQLite has one writer.
_CLAIM_FRESH = """
UPDATE {reports} SET pipeline_lease_until = %(until)s, pipeline_lease_owner = %(owner)s
WHERE id IN (
    SELECT r.id
    FROM (SELECT id FROM {reports} WHERE status = %(received)s ORDER BY id LIMIT %(window)s) head
    JOIN {reports} r ON r.id = head.id
    WHERE r.status = %(received)s AND NOT r.needs_attention
      AND (r.pipeline_lease_until IS NULL OR r.pipeline_lease_until < %(now)s)
      AND NOT EXISTS (SELECT 1 FROM {runs} s WHERE s.report_id = r.id)
      AND NOT EXISTS (SELECT 1 FROM {files} f WHERE f.report_id = r.id)
    ORDER BY r.id
    LIMIT %(size)s {lock}
)
RETURNING id
"""
# How far into the backlog a claim looks: room for the batches other workers hold meanwhile.
CLAIM_WINDOW_BATCHES = 8


def _claim_fresh(size: int, owner: str) -> list[int]:
    """Lease a batch of the oldest fresh reports for this run; their ids, oldest first."""
    now = utcnow()
    sql = _CLAIM_FRESH.format(
        reports=Report._meta.db_table,
        runs=StepRun._meta.db_table,
        files=ReportFile._meta.db_table,
        lock="FOR UPDATE OF r SKIP LOCKED" if connection.vendor == "postgresql" else "",
    )
    as_db = connection.ops.adapt_datetimefield_value  # SQLite compares the stored text form
    params = {
        "until": as_db(now + LEASE),
        "owner": owner,
        "received": ReportStatus.RECEIVED,
        "now": as_db(now),
        "size": size,
        "window": size * CLAIM_WINDOW_BATCHES,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(row[0] for row in cursor.fetchall())


def _run_batch(report_ids: list[int]) -> None:
    """Every step for every report of the batch, in one transaction; raises if any step fails."""
    with transaction.atomic(), audit_deferred():
        _commit_without_flush_wait()
        # Locked as well as leased: an analyst's change cannot slip in before the batch stores
        # its decisions, and waits a fraction of a second instead.
        locked = _loaded().select_for_update(of=("self",)).filter(pk__in=report_ids)
        reports = list(locked.order_by("pk"))
        if not reports:
            return  # deleted meanwhile: nothing to do
        facts, runs = BatchFacts(reports), []
        for name, step in BATCH_STEPS:
            started, at = time.monotonic(), utcnow()
            step(reports, facts)
            # A batch times a step for all its reports together: each is given an equal share.
            share = int((time.monotonic() - started) * 1000 / len(reports))
            runs += [_done_run(report, name, at, share) for report in reports]
        reports_save_decisions(reports=reports)
        reports_transition(reports=reports, to_status=ReportStatus.AWAITING_TRIAGE, actor=None)
        StepRun.objects.bulk_create(runs)


def _done_run(report: Report, step: str, at: datetime, duration_ms: int) -> StepRun:
    return StepRun(
        report=report,
        step=step,
        status=StepStatus.DONE,
        attempts=1,
        duration_ms=duration_ms,
        started_at=at,
        finished_at=utcnow(),
    )


def pipeline_run_batch(*, report_id: int, size: int) -> dict[int, RunOutcome]:
    """Run the pipeline for the oldest `size` fresh reports together, and for this report.

    With a backlog, most of a report's cost is per statement, and a batch runs each step for all
    its reports in one statement where one report needs one. A task thus takes the head of the
    backlog, normally its own report and those queued after it (their own tasks then find them
    finished, in one statement); the task queue still decides that every report is run, and when.

    A batch is one transaction; if any step fails for any report it is rolled back and each
    report is run on its own by `pipeline_run`, which records the failure and retries. The
    task's own report, if the batch did not take it (a retry, a rerun, leased elsewhere, or not
    at the head), is run by `pipeline_run` too. Returns each report's outcome, by id.
    """
    if _finished(report_id):
        return {report_id: RunOutcome(done=True)}  # taken by an earlier batch: the common case
    owner = secrets.token_hex(8)
    batch = _claim_fresh(size, owner) if size > 1 else []
    try:
        outcomes = _run_claimed(batch)
    finally:
        _release_all(batch, owner)
    if report_id not in outcomes:
        outcomes[report_id] = pipeline_run(report_id=report_id)
    return outcomes


def _run_claimed(batch: list[int]) -> dict[int, RunOutcome]:
    """Run the leased batch together; if that fails, each of its reports alone, still leased (so
    no other worker takes the failing report into a batch of its own meanwhile)."""
    if len(batch) > 1:
        try:
            _run_batch(batch)
            return dict.fromkeys(batch, RunOutcome(done=True))
        except Exception:  # any failure: rerun one by one, which records it
            logger.warning(
                "pipeline batch of %d failed; running its reports one by one", len(batch)
            )
    return {report_id: _run_alone(report_id) for report_id in batch}


def _run_alone(report_id: int) -> RunOutcome:
    try:
        return _run_leased(report_id, None, False)
    except Exception:  # beyond a step (say the database went away): retry it later, never lose it
        logger.exception("pipeline run of report %s failed", report_id)
        return RunOutcome(done=False, retry_in=backoff_seconds(1))


def pipeline_retire_queued_tasks(
    *, report_ids: Collection[int], task_path: str, queue_name: str, window: int
) -> int:
    """Mark as done the queued tasks of reports that a batch has already run. Returns how many.

    Such a task would only find its report finished, yet claiming and closing a task costs a
    worker and the database more than the report's whole share of the batch. Only tasks still
    waiting at the head of the queue (the first `window`, in the queue's own order and index) are
    looked at: the batch took the oldest reports, whose tasks are there. A task another worker
    claims meanwhile is left to it, and simply finds its report finished.
    """
    wanted = set(report_ids)
    # Read without locking: locking the head would hide it from the workers polling for a task
    # meanwhile. The conditional UPDATE then leaves any task a worker claimed in between.
    head = DBTaskResult.objects.ready().filter(task_path=task_path, queue_name=queue_name)[:window]
    retire = [
        pk
        for pk, args in head.values_list("pk", "args_kwargs")
        if args.get("kwargs", {}).get("report_id") in wanted
    ]
    if not retire:
        return 0
    now = utcnow()
    return DBTaskResult.objects.filter(pk__in=retire, status=TaskResultStatus.READY).update(
        status=TaskResultStatus.SUCCESSFUL, started_at=now, finished_at=now, return_value=True
    )


def reports_needing_pipeline(*, older_than: timedelta = LEASE) -> list[int]:
    """Reports stuck before triage with no live lease (their worker died): to be re-enqueued."""
    cutoff = utcnow() - older_than
    stuck = Report.objects.filter(
        status__in=[ReportStatus.RECEIVED, ReportStatus.PROCESSING],
        needs_attention=False,
        created_at__lt=cutoff,
    ).filter(Q(pipeline_lease_until__isnull=True) | Q(pipeline_lease_until__lt=utcnow()))
    # A report with a recently failed step has its retry queued, after its backoff; one whose
    # failure is older than any backoff lost its retry (its worker died first) and is taken.
    recent = utcnow() - timedelta(seconds=backoff_seconds(MAX_ATTEMPTS) * 2)
    stuck = stuck.exclude(steps__status=StepStatus.FAILED, steps__finished_at__gte=recent)
    return list(stuck.values_list("pk", flat=True)[:1000])
