"""`tipline demo`: seed invented demo data (demo mode only)."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from tipline.console.demo import demo_seed


class Command(BaseCommand):
    help = (
        "Seed states, commands, demo users, a demo platform client and ~300 invented reports "
        "with generated images, a demo hash list, clusters and a history of triage decisions."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--reports", type=int, default=300)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        summary = demo_seed(reports=options["reports"])
        history = summary.history
        triaged = history.triaged if history else 0
        self.stdout.write(
            f"demo data ready: {summary.users} users created, {summary.reports} reports created "
            f"({summary.files} files, {summary.processed} processed, {triaged} triaged; "
            f"{summary.reports - summary.processed} left for the worker) "
            f"in {time.monotonic() - started:.1f} s"
        )
