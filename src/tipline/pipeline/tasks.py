"""Background tasks of the pipeline. Tasks take ids and only call services."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError
from django_tasks import task
from django_tasks_db import DatabaseBackend

from tipline.common.time import utcnow
from tipline.pipeline.services import (
    CLAIM_WINDOW_BATCHES,
    pipeline_retire_queued_tasks,
    pipeline_run_batch,
    reports_needing_pipeline,
)

logger = logging.getLogger(__name__)


@task(queue_name="pipeline")
def process_report(*, report_id: int) -> bool:
    """Run the pipeline for the report (in a batch with other fresh reports when there is a
    backlog); a failing step is retried later with backoff, for each report of the batch."""
    size = settings.PIPELINE_BATCH_SIZE
    outcomes = pipeline_run_batch(report_id=report_id, size=size)
    for run_id, outcome in outcomes.items():
        if outcome.retry_in is not None:
            later = utcnow() + timedelta(seconds=outcome.retry_in)
            process_report.using(run_after=later).enqueue(report_id=run_id)
    done = [run_id for run_id, outcome in outcomes.items() if outcome.done and run_id != report_id]
    if done and isinstance(process_report.get_backend(), DatabaseBackend):
        _retire(done, window=size * CLAIM_WINDOW_BATCHES)
    return outcomes[report_id].done


def _retire(report_ids: list[int], *, window: int) -> None:
    # Only saves the tasks' own cost: their reports are processed and committed already, so a
    # failure here must not fail this task.
    try:
        pipeline_retire_queued_tasks(
            report_ids=report_ids,
            task_path=process_report.module_path,
            queue_name=process_report.queue_name,
            window=window,
        )
    except DatabaseError:
        logger.warning("could not mark the queued tasks of a finished batch done", exc_info=True)


@task()
def pipeline_sweep() -> int:
    """Re-enqueue reports whose worker died mid-pipeline (their lease expired)."""
    stuck = reports_needing_pipeline()
    for report_id in stuck:
        process_report.enqueue(report_id=report_id)
    return len(stuck)
