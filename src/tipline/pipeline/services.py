"""Running the pipeline: idempotent steps, each with its outcome recorded, retried with backoff.

The reports table is the queue. A worker claims a batch of due reports (before triage, lease
lapsed) by setting their lease in one UPDATE (the healthchecks pattern; SKIP LOCKED on
PostgreSQL), runs them, and releases them; a failed report keeps a lease until its retry is due.
Only one worker processes a report at a time. A killed worker's leases lapse (they are short, and
renewed by a heartbeat while a batch runs) and another worker takes the reports; because every
step replaces its own output, running it again gives the same result with no duplicates.

One run is one transaction: a killed worker leaves nothing half-done, and a report costs one
commit rather than twenty. Steps run without a savepoint each (two statements each); if one
fails, the run is rolled back and redone with each step in a savepoint, so the failing step rolls
back only its own work and its failure is recorded. The run's audit events are written together
at its end (`audit_deferred`), so concurrent workers wait for the audit chain's lock only then.

On PostgreSQL the commit does not wait for the WAL flush (`synchronous_commit = off`, for this
transaction only): what the pipeline writes is derived from the stored report and is recomputed
by the next claim if a crash loses the last few milliseconds (the report is still due).
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Q, QuerySet

from tipline.audit.services import audit_deferred
from tipline.common.db import insert_rows
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
from tipline.triage.choices import NotificationKind
from tipline.triage.services import notification_create

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
# What an addendum changes: the identifiers in its text, the links they make, its screening, the
# search index, and the priority; and media, since files may come with it (`report_add_files`:
# a later NCMEC package). Media is idempotent and cheap for files already hashed (PDQ is computed
# once; matching is a look-up). Location and routing are not re-decided by more words.
RERUN_STEPS: set[str] = {
    Step.EXTRACT,
    Step.MEDIA,
    Step.LINK,
    Step.SCREEN,
    Step.INDEX,
    Step.PRIORITISE,
}
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


def _lease() -> timedelta:
    """How long a claim holds a report without a heartbeat: how soon a dead worker's reports
    are taken over (the heartbeat renews it four times a lease while a batch runs)."""
    return timedelta(seconds=settings.PIPELINE_LEASE_SECONDS)


def _claim(report_id: int, owner: str) -> bool:
    """Lease one report to run it now: free unless a worker holds it (a retry's hold, which has
    no owner, only keeps the workers' claims off until it is due)."""
    now = utcnow()
    lapsed = Q(pipeline_lease_until__isnull=True) | Q(pipeline_lease_until__lt=now)
    free = lapsed | Q(pipeline_lease_owner="")
    return bool(
        Report.objects.filter(free, pk=report_id).update(
            pipeline_lease_until=now + _lease(), pipeline_lease_owner=owner
        )
    )


def _release(outcomes: dict[int, RunOutcome], owner: str) -> None:
    """Give the leases up. A report to retry keeps one until its retry is due: the lease is what
    holds it back from the workers' claims, so the backoff needs nothing else."""
    by_delay: dict[float | None, list[int]] = {}
    for report_id, outcome in outcomes.items():
        by_delay.setdefault(outcome.retry_in, []).append(report_id)
    now = utcnow()
    for delay, report_ids in by_delay.items():
        until = None if delay is None else now + timedelta(seconds=delay)
        Report.objects.filter(pk__in=report_ids, pipeline_lease_owner=owner).update(
            pipeline_lease_until=until, pipeline_lease_owner=""
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
        return RunOutcome(done=False, busy=True, retry_in=_lease().total_seconds())
    outcome = RunOutcome(done=False)  # if the run raises: released, for the next claim
    try:
        outcome = _run_leased(report_id, only, force)
    finally:
        _release({report_id: outcome}, owner)
    return outcome


def _run_leased(report_id: int, only: set[str] | None, force: bool) -> RunOutcome:
    try:
        return _run(report_id, only, force, careful=False)
    except _StepFailed:
        return _run(report_id, only, force, careful=True)


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
            finished = utcnow()
            runs += [(r.pk, name, StepStatus.DONE, "", 1, share, at, finished) for r in reports]
        reports_save_decisions(reports=reports)
        reports_transition(reports=reports, to_status=ReportStatus.AWAITING_TRIAGE, actor=None)
        # Plain rows, not models: eleven per report, the batch's largest write.
        insert_rows(StepRun, _DONE_FIELDS, runs)


_DONE_FIELDS = ("report", "step", "status", "error", "attempts", "duration_ms", "started_at",
                "finished_at")  # fmt: skip


# Lease up to %(size)s due reports, oldest first: before triage, not given up on, and not leased
# (a lease lapses when its worker dies, and a failed report's lease is held until its retry).
# The partial index report_pipeline_due holds exactly the reports before triage, so the scan
# reads the queue's head and no processed report. SKIP LOCKED (PostgreSQL) gives concurrent
# workers disjoint batches without waiting; SQLite runs it in a short IMMEDIATE transaction.
_CLAIM_DUE = """
UPDATE {reports} SET pipeline_lease_until = %(until)s, pipeline_lease_owner = %(owner)s
WHERE id IN (
    SELECT id FROM {reports}
    WHERE status IN (%(received)s, %(processing)s) AND NOT needs_attention
      AND (pipeline_lease_until IS NULL OR pipeline_lease_until < %(now)s)
    ORDER BY id
    LIMIT %(size)s {lock}
)
RETURNING id, status
"""


def _claim_due(size: int, owner: str) -> dict[int, str]:
    """Lease a batch of due reports for `owner`; their statuses, by id, oldest first."""
    now = utcnow()
    sql = _CLAIM_DUE.format(
        reports=Report._meta.db_table,
        lock="FOR UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else "",
    )
    as_db = connection.ops.adapt_datetimefield_value  # SQLite compares the stored text form
    params = {
        "until": as_db(now + _lease()),
        "owner": owner,
        "received": ReportStatus.RECEIVED,
        "processing": ReportStatus.PROCESSING,
        "now": as_db(now),
        "size": size,
    }
    # Its own transaction on SQLite (IMMEDIATE: it writes), and no savepoint inside another.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(sorted(cursor.fetchall()))


def _fresh(claimed: dict[int, str]) -> list[int]:
    """The claimed reports a batch can take: received, never run, and without files (whose
    hashing can take long enough to hold a whole batch up; they go one by one)."""
    received = [pk for pk, status in claimed.items() if status == ReportStatus.RECEIVED]
    started = StepRun.objects.filter(report_id__in=received).values_list("report_id", flat=True)
    filed = ReportFile.objects.filter(report_id__in=received).values_list("report_id", flat=True)
    return sorted(set(received) - set(started) - set(filed))


def pipeline_process_due(*, size: int) -> dict[int, RunOutcome]:
    """Claim up to `size` due reports, run them, and release them; each outcome, by id.

    Due means before triage with no live lease: fresh, due for a retry, or left by a worker
    that died. Fresh reports run together (`_run_batch`); the others, or all of them if the
    batch fails, run one by one. The leases are renewed while they run (`_heartbeat`), so they
    can be short and a dead worker's reports are soon taken over. Empty when nothing is due.
    """
    owner = secrets.token_hex(8)
    claimed = _claim_due(size, owner)
    if not claimed:
        return {}
    outcomes: dict[int, RunOutcome] = {}
    try:
        with _heartbeat(list(claimed), owner):
            outcomes = _run_claimed(_fresh(claimed))
            outcomes |= {pk: _run_alone(pk) for pk in claimed if pk not in outcomes}
    finally:
        _release({pk: outcomes.get(pk, RunOutcome(done=False)) for pk in claimed}, owner)
    return outcomes


def pipeline_process_reruns(*, size: int = 50) -> dict[int, RunOutcome]:
    """Claim and run the reports an addendum asked to run again; each outcome, by id. A periodic
    job of the worker (settings.PERIODIC_JOBS), so an idle claim of new reports stays one
    statement and a reporter's follow-up is taken in within the job's period."""
    owner = secrets.token_hex(8)
    return _rerun_claimed(_claim_reruns(size, owner), owner)


def _claim_reruns(size: int, owner: str) -> list[int]:
    """Lease up to `size` reports past the pipeline that an addendum asked to run again. One
    still in the pipeline waits: its own run reads the addendum, or its rerun follows."""
    now = utcnow()
    lapsed = Q(pipeline_lease_until__isnull=True) | Q(pipeline_lease_until__lt=now)
    waiting = Report.objects.filter(lapsed, pipeline_rerun_at__isnull=False, needs_attention=False)
    waiting = waiting.exclude(status__in=[ReportStatus.RECEIVED, ReportStatus.PROCESSING])
    with transaction.atomic():
        ids = list(
            waiting.order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:size]
        )
        Report.objects.filter(pk__in=ids).update(
            pipeline_lease_until=now + _lease(), pipeline_lease_owner=owner
        )
    return ids


def _rerun_claimed(report_ids: list[int], owner: str) -> dict[int, RunOutcome]:
    outcomes: dict[int, RunOutcome] = {}
    try:
        with _heartbeat(report_ids, owner):
            outcomes = {pk: _rerun(pk) for pk in report_ids}
    finally:
        _release({pk: outcomes.get(pk, RunOutcome(done=False)) for pk in report_ids}, owner)
    return outcomes


def _rerun(report_id: int) -> RunOutcome:
    """Take a report's addenda in, and tell whoever holds it. The request is cleared only if
    no newer addendum came meanwhile (that one runs again next time)."""
    requested = Report.objects.filter(pk=report_id).values_list("pipeline_rerun_at", flat=True)
    asked = requested.first()
    try:
        outcome = _run_leased(report_id, RERUN_STEPS, True)
    except (OperationalError, InterfaceError):
        raise  # the database went away: the worker waits for it, and the leases lapse
    except Exception:  # beyond a step: retry it later, never lose it
        logger.exception("pipeline rerun of report %s failed", report_id)
        return RunOutcome(done=False, retry_in=backoff_seconds(1))
    if outcome.done:
        with transaction.atomic():
            Report.objects.filter(pk=report_id, pipeline_rerun_at=asked).update(
                pipeline_rerun_at=None
            )
            _notify_addendum(_load(report_id))
    return outcome


def _notify_addendum(report: Report) -> None:
    """The assigned analyst, or else the command's queue, hears that the report has news."""
    if report.assigned_to is None and report.routed_command is None:
        return  # nobody holds it yet: it is seen when it reaches a queue
    text = (
        f"New information was added to {report.reference}; its identifiers, links and "
        f"priority were updated (now {report.priority or 'unset'})."
    )
    notification_create(
        user=report.assigned_to,
        command=None if report.assigned_to else report.routed_command,
        report=report,
        kind=NotificationKind.UPDATED,
        text=text,
    )


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
    except (OperationalError, InterfaceError):
        raise  # the database went away: the worker waits for it, and the leases lapse
    except Exception:  # beyond a step: retry it later, never lose it
        logger.exception("pipeline run of report %s failed", report_id)
        return RunOutcome(done=False, retry_in=backoff_seconds(1))


def _renew_leases(report_ids: list[int], owner: str) -> None:
    with transaction.atomic():
        # A report that a batch is writing is locked, and so safe, until the batch commits:
        # skipped rather than waited for (SQLite has no row locks and ignores this).
        mine = Report.objects.select_for_update(skip_locked=True).filter(
            pk__in=report_ids, pipeline_lease_owner=owner
        )
        renewed = list(mine.values_list("pk", flat=True))
        Report.objects.filter(pk__in=renewed).update(pipeline_lease_until=utcnow() + _lease())


class _Heartbeat(threading.Thread):
    """Renews a claimed batch's leases every quarter lease until stopped, on its own connection."""

    def __init__(self, report_ids: list[int], owner: str) -> None:
        super().__init__(name="tipline-lease-heartbeat", daemon=True)
        self.report_ids, self.owner = report_ids, owner
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(_lease().total_seconds() / 4):
                self._beat()
        finally:
            connection.close()  # this thread's own

    def _beat(self) -> None:
        try:
            _renew_leases(self.report_ids, self.owner)
        except DatabaseError:  # a missed beat is retried; at worst the lease lapses
            logger.warning("could not renew %d pipeline leases", len(self.report_ids))
            connection.close()


@contextmanager
def _heartbeat(report_ids: list[int], owner: str) -> Iterator[None]:
    beat = _Heartbeat(report_ids, owner)
    if report_ids:
        beat.start()
    try:
        yield
    finally:
        beat.stopped.set()
        if beat.is_alive():
            beat.join()
