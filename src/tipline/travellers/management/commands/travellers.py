"""`tipline travellers`: travel notices from the command line.

- `import FILE`: notices in JSON lines (the evaluation format plus the optional fields); each
  line stored or refused on its own, field by field; exit 1 when a line was refused.
- `match --notices N.jsonl --reports R.jsonl --out M.jsonl`: the offline evaluation (no database
  write); `match --threshold` prints the probability from which a match is "likely".
- `check-manifest FILE.csv --place P`: a hotel's guests against the active notices.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from pydantic import ValidationError

from tipline.travellers.api import django_errors, field_errors
from tipline.travellers.choices import Source
from tipline.travellers.drafts import NoticeInput
from tipline.travellers.evaluation import match_all, notice_line
from tipline.travellers.matching import LIKELY
from tipline.travellers.models import PlaceOfConcern
from tipline.travellers.places import manifest_check
from tipline.travellers.services import notice_receive


def _lines(path: str) -> list[dict[str, Any]]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc}") from exc
    try:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path}: not JSON lines ({exc}).") from exc


class Command(BaseCommand):
    help = "Travel notices: import, offline match evaluation, hotel manifest check."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import notices from JSON lines.")
        imp.add_argument("file")
        match = sub.add_parser("match", help="Match reports with notices (evaluation format).")
        match.add_argument("--notices")
        match.add_argument("--reports")
        match.add_argument("--out")
        match.add_argument("--threshold", action="store_true", help="Print the likely threshold.")
        check = sub.add_parser("check-manifest", help="Match a hotel's guests with notices.")
        check.add_argument("file")
        check.add_argument("--place", required=True, help="Place of concern id or exact name.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "import":
            self._import(options["file"])
        elif action == "match":
            self._match(options)
        else:
            self._manifest(options["file"], options["place"])

    def _import(self, path: str) -> None:
        stored = known = refused = 0
        for number, line in enumerate(_lines(path), start=1):
            try:
                data = NoticeInput.model_validate(notice_line(line))
                received = notice_receive(data=data, source=Source.IMPORT, actor=None)
            except ValidationError as exc:
                refused += 1
                self.stderr.write(f"line {number}: refused {json.dumps(field_errors(exc))}")
                continue
            except DjangoValidationError as exc:
                refused += 1
                self.stderr.write(f"line {number}: refused {json.dumps(django_errors(exc))}")
                continue
            stored, known = stored + received.created, known + (not received.created)
        self.stdout.write(f"{stored} stored, {known} already known, {refused} refused.")
        if refused:
            raise CommandError(f"{refused} line(s) refused.", returncode=1)

    def _match(self, options: dict[str, Any]) -> None:
        if options["threshold"]:
            self.stdout.write(f"{LIKELY}")
            return
        if not (options["notices"] and options["reports"] and options["out"]):
            raise CommandError("match needs --notices, --reports and --out (or --threshold).")
        results = match_all(_lines(options["notices"]), _lines(options["reports"]))
        with Path(options["out"]).open("w", encoding="utf-8") as out:
            for row in results:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.stdout.write(f"{len(results)} reports matched; written to {options['out']}.")

    def _manifest(self, path: str, place_ref: str) -> None:
        place = (
            PlaceOfConcern.objects.filter(pk=int(place_ref)).first()
            if place_ref.isdigit()
            else PlaceOfConcern.objects.filter(name__iexact=place_ref).first()
        )
        if place is None:
            raise CommandError(f"No place of concern {place_ref!r}.")
        try:
            _, matches = manifest_check(place=place, data=Path(path).read_bytes(), actor=None)
        except DjangoValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        for match in matches:
            for candidate in match.candidates:
                mark = "LIKELY " if candidate.probability >= LIKELY else ""
                self.stdout.write(
                    f"row {match.row.position + 1}: {mark}{candidate.notice.reference} "
                    f"p={candidate.probability:.2f}"
                )
        self.stdout.write(f"{len(matches)} guests checked against the active notices.")
