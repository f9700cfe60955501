"""`tipline cases export-htcds --out FILE.csv --as USER [--identities]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tipline.accounts.models import User
from tipline.cases.export import htcds_export_write
from tipline.cases.selectors import cases_visible_to
from tipline.cases.services.support import htcds_export_record


class Command(BaseCommand):
    help = "Case data in the IOM Human Trafficking Case Data Standard 2.0."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser(
            "export-htcds", help="One CSV row per victim and case, HTCDS 2.0 columns."
        )
        export.add_argument("--out", required=True, type=Path, help="The CSV file to write.")
        export.add_argument(
            "--as", dest="username", required=True, help="Who exports (their case scope)."
        )
        export.add_argument(
            "--identities",
            action="store_true",
            help="Include names, birth dates and contacts (left empty by default).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["username"], is_active=True).first()
        if actor is None:
            raise CommandError("No such active user.")
        out: Path = options["out"]
        with out.open("w", encoding="utf-8", newline="") as target:
            rows = htcds_export_write(
                cases=cases_visible_to(actor), target=target, identities=options["identities"]
            )
        htcds_export_record(
            actor=actor, rows=rows, identities=options["identities"], scope="command"
        )
        self.stdout.write(f"{out}: {rows} victim rows")
