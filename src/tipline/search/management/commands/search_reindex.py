"""`tipline search_reindex`: rebuild the full-text index of every report."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tipline.search.services import REINDEX_BATCH, search_reindex


class Command(BaseCommand):
    help = "Rebuild the search index of every report (safe to run while the platform runs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=REINDEX_BATCH, help="Reports a batch.")

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(done: int) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"{done} reports indexed")

        done = search_reindex(batch_size=max(1, options["batch"]), progress=progress)
        self.stdout.write(self.style.SUCCESS(f"Indexed {done} reports."))
