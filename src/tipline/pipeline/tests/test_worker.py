"""`tipline worker`: the claim loop, its wake-up, and surviving errors and a killed worker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection, connections

from tipline.common.time import utcnow
from tipline.conftest import draft
from tipline.pipeline import steps
from tipline.pipeline.models import StepRun
from tipline.pipeline.services import _claim, _renew_leases, pipeline_run
from tipline.pipeline.worker import SQLITE_POLL_MAX, Waiter, Worker
from tipline.reports.choices import ReportStatus
from tipline.reports.drafts import IncidentDraft
from tipline.reports.models import Report
from tipline.reports.services import report_submit

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's (CI runs PG too)"
)


@pytest.mark.django_db(transaction=True)
def test_worker_claims_and_runs_a_submitted_report(geo: Any) -> None:
    report = report_submit(draft=draft()).report
    call_command("worker", "--batch", verbosity=0)
    report.refresh_from_db()
    assert report.status == ReportStatus.AWAITING_TRIAGE
    assert report.routed_command is not None and report.routed_command.code == "LAG"
    steps = ["intake", "extract", "media", "locate", "link", "screen", "index", "prioritise"]
    steps += ["route"]
    steps += ["missing"]
    steps += ["travel"]
    assert set(StepRun.objects.values_list("step", "status")) == {(s, "done") for s in steps}
    assert report.priority != "" and report.pipeline_lease_owner == ""


@pytest.mark.django_db(transaction=True)  # a turn closes old connections, as the worker does
def test_a_worker_freezes_its_warm_heap_once_after_its_first_work(geo: Any) -> None:
    """What a warm worker has loaded is left out of the collector's full passes: frozen after
    the first batch that did work (the steps load their rules and data lazily), and only then."""
    worker = Worker(size=10, poll=0.01, drain=True)
    frozen = mock.patch("tipline.pipeline.worker.gc.freeze")
    with frozen as freeze, mock.patch("tipline.pipeline.worker.gc.collect") as collect:
        assert worker._turn() is False and not freeze.called  # nothing done: nothing warm yet
        report_submit(draft=draft())
        assert worker._turn() is True
        report_submit(draft=draft())
        assert worker._turn() is True
    assert freeze.call_count == 1 and collect.call_count == 1


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


def test_a_database_error_never_stops_the_worker(db: Any) -> None:
    worker = Worker(size=10, poll=0.01)
    calls: list[int] = []

    def flaky(*, size: int) -> dict[int, Any]:
        calls.append(size)
        if len(calls) <= 3:
            raise OperationalError("connection refused (invented)")
        worker.stop()
        return {}

    with (
        mock.patch("tipline.pipeline.worker.pipeline_process_due", flaky),
        mock.patch("tipline.pipeline.worker.error_backoff", return_value=0.01) as backoff,
    ):
        worker.run()
    assert len(calls) == 4  # it went on after each failure, and stopped only when told
    assert [c.args[0] for c in backoff.call_args_list] == [1, 2, 3]  # backing off further


def test_an_idle_sqlite_worker_polls_at_least_once_a_second() -> None:
    waiter, stopping = Waiter(poll=5.0), mock.Mock()
    for _ in range(10):
        waiter.wait(stopping)
    delays = [c.args[0] for c in stopping.wait.call_args_list]
    assert delays == sorted(delays) and delays[0] < 0.1 and max(delays) == SQLITE_POLL_MAX
    waiter.busy()
    waiter.wait(stopping)
    assert stopping.wait.call_args.args[0] < 0.1  # work found: back to polling fast


def test_a_heartbeat_renews_only_its_own_leases(geo: Any) -> None:
    mine, theirs = (report_submit(draft=draft()).report for _ in range(2))
    assert _claim(mine.pk, "me") and _claim(theirs.pk, "them")
    soon = utcnow() + timedelta(seconds=1)
    Report.objects.update(pipeline_lease_until=soon)
    _renew_leases([mine.pk, theirs.pk], "me")
    leases = dict(Report.objects.values_list("pk", "pipeline_lease_until"))
    renewed = leases[mine.pk]
    assert renewed is not None and renewed > soon + timedelta(seconds=5)
    assert leases[theirs.pk] == soon


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_idle_worker_wakes_at_once_for_a_new_report(geo: Any) -> None:
    worker = Worker(size=10, poll=60.0)  # without the notification it would sleep a minute
    thread = threading.Thread(target=_run_closing, args=(worker,))
    thread.start()
    try:
        time.sleep(1.0)  # idle, listening
        started = time.monotonic()
        report = report_submit(draft=draft()).report
        while Report.objects.get(pk=report.pk).status != ReportStatus.AWAITING_TRIAGE:
            assert time.monotonic() - started < 5, "the worker did not wake"
            time.sleep(0.02)
    finally:
        worker.stop()
        thread.join(timeout=10)
    assert not thread.is_alive()


def _run_closing(worker: Worker) -> None:
    try:
        worker.run()
    finally:
        connections.close_all()


REPORTS, LEASE_S = 12, 3
LOG = "TIPLINE_TEST_PROCESS_LOG"  # where the processes of a test write their stderr


def _harness(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tipline.pipeline.tests.harness", *args]
    with Path(env[LOG]).open("a") as log:  # every process's stderr, for a failure's message
        return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=log, text=True)  # noqa: S603  # this interpreter, our module


def _log_of(env: dict[str, str]) -> str:
    return Path(env[LOG]).read_text()[-4000:]


def _finish(process: subprocess.Popen[str], env: dict[str, str]) -> str:
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0, _log_of(env)
    return out


def _database_url(tmp_path: Path) -> str:
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        return f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    return f"sqlite:///{tmp_path / 'worker.sqlite3'}"  # the tests' own lives in memory


def _environment(tmp_path: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(tmp_path),
        "TIPLINE_PIPELINE_LEASE_SECONDS": str(LEASE_S),
        "DJANGO_SETTINGS_MODULE": "tipline.config.settings",
        LOG: str(tmp_path / "processes.log"),
    }
    if connection.vendor != "postgresql":
        migrate = [sys.executable, "-m", "django", "migrate", "-v0"]
        subprocess.run(migrate, env=env, check=True)  # noqa: S603  # this interpreter, fixed argv
    return env


def _outcome(env: dict[str, str]) -> dict[str, Any]:
    return dict(json.loads(_finish(_harness(env, "outcome"), env)))


def _wait_until_all_processed(env: dict[str, str], within: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < within:
        reports = _outcome(env).values()
        if all(r["status"] == ReportStatus.AWAITING_TRIAGE for r in reports):
            return time.monotonic() - started
        time.sleep(0.5)
    raise AssertionError(f"reports left unprocessed\n{_log_of(env)}")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_leaves_every_report_processed_exactly_once(
    tmp_path: Path,
) -> None:
    env = _environment(tmp_path)
    _finish(_harness(env, "submit", str(REPORTS)), env)
    marker = tmp_path / "in-the-middle-of-a-batch"
    stalled = _harness(env, "stalling", str(marker))
    while not marker.exists():
        assert stalled.poll() is None, _log_of(env)
        time.sleep(0.05)
    stalled.send_signal(signal.SIGKILL)
    stalled.wait()
    assert {r["status"] for r in _outcome(env).values()} == {ReportStatus.RECEIVED}
    rescuer = _harness(env, "worker")
    took = _wait_until_all_processed(env, within=60)
    rescuer.send_signal(signal.SIGTERM)
    assert rescuer.wait(timeout=30) == 0, _log_of(env)  # stops cleanly
    once = sorted([name, 1] for name, _ in steps.STEPS)  # as JSON gives them
    reports = _outcome(env).values()
    assert len(reports) == REPORTS and took < LEASE_S + 30
    assert [r for r in reports if r["runs"] != once or r["changes"] != 1] == []  # none twice
