"""`tipline media_sweep`: delete stored files that no report refers to (left by dead requests)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tipline.media.orphans import media_sweep_orphans


class Command(BaseCommand):
    help = "Delete encrypted blobs older than --older-than seconds that no record refers to."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=int, default=3600, help="seconds (default 3600)")

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = media_sweep_orphans(older_than_seconds=options["older_than"])
        self.stdout.write(f"Deleted {deleted} unreferenced blob(s).")
