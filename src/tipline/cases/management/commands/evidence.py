"""`tipline evidence bundle NAP-… --out DIR` and `tipline evidence public-key [--all]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tipline.accounts.models import User
from tipline.cases.bundle import bundle_write
from tipline.cases.models import Case
from tipline.cases.signing import signing_keys


class Command(BaseCommand):
    help = "Court bundles of a case's evidence, and the public key that verifies them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        bundle = sub.add_parser("bundle", help="Write a case's court bundle (ZIP) into a folder.")
        bundle.add_argument("reference", help="The case, NAP-YYYY-NNNNN.")
        bundle.add_argument("--out", required=True, type=Path, help="Folder to write into.")
        bundle.add_argument("--as", dest="username", required=True, help="Who produces it.")
        bundle.add_argument("--item", type=int, action="append", help="Only these item numbers.")
        key = sub.add_parser("public-key", help="Print the signing public key (PEM).")
        key.add_argument("--all", action="store_true", help="Every published key, with its id.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "public-key":
            self._public_key(all_keys=options["all"])
        else:
            self._bundle(options)

    def _public_key(self, *, all_keys: bool) -> None:
        keys = signing_keys()
        if not all_keys:
            self.stdout.write(keys[0].public_pem, ending="")
            return
        for key in keys:
            self.stdout.write(f"# key {key.key_id}\n{key.public_pem}", ending="")

    def _bundle(self, options: dict[str, Any]) -> None:
        case = Case.objects.filter(reference=options["reference"].strip().upper()).first()
        actor = User.objects.filter(username=options["username"], is_active=True).first()
        if case is None or actor is None:
            raise CommandError("No such case, or no such active user.")
        out: Path = options["out"]
        out.mkdir(parents=True, exist_ok=True)
        path = out / f"{case.reference}-bundle.zip"
        with path.open("wb") as target:
            result = bundle_write(
                case=case, target=target, actor=actor, item_numbers=options["item"]
            )
        self.stdout.write(f"{path} ({len(result.items)} items, signed by key {result.key_id})")
