"""`tipline matcher build`: build the hash-matcher index from the hash-list tables and publish it.

It runs under a lock (PostgreSQL advisory lock, or a file lock on SQLite), so two builds never
overlap; web and worker processes swap to the new version within `TIPLINE_MATCHER_RELOAD_SECONDS`.
Workers also rebuild on their own (`media.tasks.matcher_rebuild`) once enough entries wait in
their side segments, so running this by hand is only needed after a large import.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tipline.media.published import index_home, matcher_publish


class Command(BaseCommand):
    help = "Build the MD5, SHA-1 and PDQ indexes from the hash lists and publish a new version."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["build"])

    def handle(self, *args: Any, **options: Any) -> None:
        name = matcher_publish()
        if name is None:
            raise CommandError("Another process is building the matcher index; try again later.")
        self.stdout.write(f"matcher index {name} published ({index_home().__class__.__name__})")
