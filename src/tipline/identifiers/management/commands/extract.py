"""`tipline extract`: read text on stdin, print one JSON object per identifier found."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from tipline.identifiers.extraction.cli import main_extract


class Command(BaseCommand):
    help = "Extract identifiers from text on stdin; one JSON object per line."
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        code = main_extract(sys.stdin, sys.stdout)
        if code:
            sys.exit(code)
