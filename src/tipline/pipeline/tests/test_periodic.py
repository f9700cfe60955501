from __future__ import annotations

from typing import Any
from unittest import mock

from django.conf import settings

from tipline.intake.tasks import ispws_expire
from tipline.pipeline.worker import PeriodicJobs


def test_jobs_come_from_settings_as_functions_with_intervals() -> None:
    jobs = dict(PeriodicJobs.from_settings().jobs)
    assert len(jobs) == len(settings.PERIODIC_JOBS) and all(callable(job) for job in jobs)
    assert jobs[ispws_expire] == 600.0


def test_a_job_runs_at_start_then_once_per_interval() -> None:
    job = mock.Mock(__qualname__="job")
    jobs = PeriodicJobs([(job, 600.0)])
    with mock.patch("tipline.pipeline.worker.time.monotonic", return_value=1000.0):
        jobs.run_due()
        jobs.run_due()
    assert job.call_count == 1
    with mock.patch("tipline.pipeline.worker.time.monotonic", return_value=1600.0):
        jobs.run_due()
    assert job.call_count == 2


def test_a_failing_job_neither_stops_the_others_nor_raises(db: Any) -> None:
    failing = mock.Mock(side_effect=RuntimeError("invented"), __qualname__="failing")
    fine = mock.Mock(__qualname__="fine")
    PeriodicJobs([(failing, 60.0), (fine, 60.0)]).run_due()
    assert failing.called and fine.called
