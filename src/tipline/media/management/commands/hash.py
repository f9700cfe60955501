"""`tipline hash FILE...`: one JSON object per file (md5, sha1, sha256, pdq, quality)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tipline.media.hashing import main_hash


class Command(BaseCommand):
    help = "Hash files: MD5, SHA-1, SHA-256 and, for images, PDQ with its quality."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+")

    def handle(self, *args: Any, **options: Any) -> None:
        code = main_hash(options["paths"], sys.stdout)
        if code:
            sys.exit(code)
