"""`tipline worker`: run a background worker for the pipeline and other tasks.

Run as many as you like, on as many machines, against one PostgreSQL: each claims tasks with
SELECT ... FOR UPDATE SKIP LOCKED (django-tasks-db). It stops cleanly on SIGTERM or Ctrl-C.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from tipline.accounts.checks import refuse_demo_credentials
from tipline.pipeline.periodic import PeriodicScheduler


def periodic_schedule() -> list[tuple[Any, float]]:
    """The periodic tasks named in settings, with their intervals in seconds."""
    return [(import_string(path), float(seconds)) for path, seconds in settings.PERIODIC_TASKS]


class Command(BaseCommand):
    help = "Run a background worker that processes queued tasks (the pipeline)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="Process what is queued, then exit."
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds to wait when the queue is empty."
        )
        parser.add_argument("--max-tasks", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_demo_credentials()
        if not options["batch"]:
            PeriodicScheduler(periodic_schedule()).start()
        extra: list[str] = ["--batch"] if options["batch"] else []
        if options["max_tasks"]:
            extra += ["--max-tasks", str(options["max_tasks"])]
        call_command(
            "db_worker",
            "--queue-name",
            "*",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            str(options["interval"]),
            *extra,
            verbosity=options["verbosity"],
        )
