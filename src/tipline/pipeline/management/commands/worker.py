"""`tipline worker`: run the pipeline, claiming due reports straight from the reports table.

Run as many as you like, on as many machines, against one PostgreSQL: each claims batches with
SELECT ... FOR UPDATE SKIP LOCKED and leases them. It survives the database going away (it waits
and reconnects), runs the periodic jobs of settings.PERIODIC_JOBS, and stops cleanly, after the
batch in hand, on SIGTERM or Ctrl-C. Run it under a supervisor all the same (see README).
"""

from __future__ import annotations

import signal
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from tipline.accounts.checks import refuse_demo_credentials
from tipline.pipeline.worker import Worker


class Command(BaseCommand):
    help = "Run a pipeline worker: claim due reports from the reports table and process them."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--batch", action="store_true", help="Process what is due, then exit.")
        parser.add_argument(
            "--interval",
            type=float,
            default=5.0,
            help="Most seconds an idle worker waits before looking again (PostgreSQL wakes it "
            "at once on a new report; SQLite polls at least once a second).",
        )
        parser.add_argument("--batch-size", type=int, default=settings.PIPELINE_BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_demo_credentials()
        worker = Worker(
            size=options["batch_size"], poll=options["interval"], drain=options["batch"]
        )
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: worker.stop())
        processed = worker.run()
        if options["verbosity"] >= 1:
            self.stdout.write(f"worker stopped; processed {processed} reports")
