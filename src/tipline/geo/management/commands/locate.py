"""`tipline locate --ip X --phone Y --text Z`: print where these point, as JSON."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tipline.geo.locate import main_locate


class Command(BaseCommand):
    help = "Geolocate an IP address, a phone number and/or free text; prints one JSON object."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ip", action="append", default=[])
        parser.add_argument("--phone", action="append", default=[])
        parser.add_argument("--text", action="append", default=[])

    def handle(self, *args: Any, **options: Any) -> None:
        argv: list[str] = []
        for flag in ("ip", "phone", "text"):
            for value in options[flag]:
                argv += [f"--{flag}", value]
        code = main_locate(argv, self.stdout)
        if code:
            sys.exit(code)
