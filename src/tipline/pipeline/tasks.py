"""Background tasks of the pipeline. Tasks take ids and only call services."""

from __future__ import annotations

from django_tasks import task

from tipline.pipeline.services import pipeline_run


@task(queue_name="pipeline")
def process_report(*, report_id: int) -> bool:
    """Run the pipeline for one report. Safe to run more than once."""
    return pipeline_run(report_id=report_id)
