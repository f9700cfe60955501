from __future__ import annotations

from typing import Any

from django_tasks_db.models import DBTaskResult

from tipline.intake.tasks import ispws_expire
from tipline.pipeline.management.commands.worker import periodic_schedule
from tipline.pipeline.periodic import enqueue_if_idle
from tipline.pipeline.tasks import pipeline_sweep


def test_schedule_comes_from_settings() -> None:
    assert [(task, interval) for task, interval in periodic_schedule()] == [
        (ispws_expire, 600.0),
        (pipeline_sweep, 300.0),
    ]


def test_periodic_task_is_enqueued_once_while_waiting(db: Any) -> None:
    assert enqueue_if_idle(ispws_expire) is True
    assert enqueue_if_idle(ispws_expire) is False
    assert DBTaskResult.objects.filter(task_path="tipline.intake.tasks.ispws_expire").count() == 1
