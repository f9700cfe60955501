"""Periodic tasks: each worker enqueues them on a timer unless one is already waiting.

Several workers may enqueue the same task at about the same time; that is harmless because every
periodic task is idempotent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

from django.db import close_old_connections
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


def _task_path(task: Any) -> str:
    return f"{task.func.__module__}.{task.func.__qualname__}"


def enqueue_if_idle(task: Any) -> bool:
    """Enqueue `task` unless an instance is already waiting. Returns whether it enqueued."""
    if DBTaskResult.objects.filter(task_path=_task_path(task), status="READY").exists():
        return False
    task.enqueue()
    return True


class PeriodicScheduler(threading.Thread):
    """A daemon thread that enqueues each (task, interval) on its timer."""

    def __init__(self, schedule: list[tuple[Any, float]]) -> None:
        super().__init__(name="tipline-periodic", daemon=True)
        self.schedule = schedule
        self.stop_event = threading.Event()

    def run(self) -> None:
        tick = min(interval for _, interval in self.schedule)
        due = {id(task): 0.0 for task, _ in self.schedule}
        elapsed = 0.0
        while not self.stop_event.wait(0 if elapsed == 0 else tick):
            self._run_due(due, elapsed)
            elapsed += tick

    def _run_due(self, due: dict[int, float], elapsed: float) -> None:
        for task, interval in self.schedule:
            if elapsed >= due[id(task)]:
                self._safely(partial(enqueue_if_idle, task))
                due[id(task)] = elapsed + interval

    @staticmethod
    def _safely(action: Callable[[], object]) -> None:
        try:
            close_old_connections()
            action()
        except Exception:  # a scheduling hiccup must never stop the worker
            logger.exception("periodic enqueue failed")
        finally:
            close_old_connections()
