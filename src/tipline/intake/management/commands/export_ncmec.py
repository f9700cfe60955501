"""`tipline export_ncmec TL-2026-000001 --out DIR`: write a report as CyberTipline XML.

Writes ``report.xml`` and ``fileDetails-1.xml``, ``fileDetails-2.xml``... (one per file, in the
report's file order) into DIR. The files are readable by their owner only, and existing ones are
never overwritten. Every export is audited as ``report.exported_ncmec``. A TLP:RED report is
refused: its sharing level forbids passing it on.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from tipline.accounts.models import User
from tipline.audit.lookups import lookup_event, lookups_record
from tipline.audit.models import LookupKind
from tipline.audit.services import audit_record
from tipline.intake.ispws.export import report_to_ncmec
from tipline.intake.ispws.xml import ValidationFailed
from tipline.reports.choices import SharingLevel
from tipline.reports.models import Report


def _documents(report_xml: bytes, file_xmls: list[bytes]) -> list[tuple[str, bytes]]:
    named = [(f"fileDetails-{n}.xml", body) for n, body in enumerate(file_xmls, start=1)]
    return [("report.xml", report_xml), *named]


def _write(directory: Path, documents: list[tuple[str, bytes]]) -> list[Path]:
    """Write each document; O_EXCL: never over an earlier export, and owner-only permissions."""
    directory.mkdir(parents=True, exist_ok=True)
    clashes = [name for name, _ in documents if (directory / name).exists()]
    if clashes:
        raise CommandError(f"{directory} already holds {', '.join(clashes)}: use an empty folder.")
    written: list[Path] = []
    try:
        for name, body in documents:
            path = directory / name
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            written.append(path)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(body)
    except OSError as exc:
        _remove(written)
        raise CommandError(f"could not write the export: {exc}") from exc
    return written


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _record_lookup(actor: User | None, reference: str, documents: int) -> None:
    """The export on the supervisors' look-up page too, beside the report's other look-ups."""
    event = lookup_event(
        actor=actor,
        actor_label=None if actor else "cli:export_ncmec",
        kind=LookupKind.EXPORT,
        object_ref=reference,
        query="NCMEC CyberTipline XML",
        result_count=documents,
    )
    lookups_record(events=[event])


class Command(BaseCommand):
    help = "Write a report as CyberTipline XML (report.xml, fileDetails-N.xml) into a folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", help="The report's reference, e.g. TL-2026-000001.")
        parser.add_argument("--out", required=True, type=Path, help="Folder to write into.")
        parser.add_argument("--actor", help="Username of the staff member exporting (audited).")

    def handle(self, *args: Any, **options: Any) -> None:
        report = self._report(options["reference"])
        actor = self._actor(options["actor"])
        try:
            report_xml, file_xmls = report_to_ncmec(report)
        except ValidationFailed as exc:
            raise CommandError(f"{report.reference} cannot be exported: {exc.message}") from exc
        documents = _documents(report_xml, file_xmls)
        out = Path(options["out"])  # call_command passes keyword options without parsing them
        written = _write(out, documents)
        try:
            with transaction.atomic():
                audit_record(
                    actor=actor,
                    actor_label=None if actor else "cli:export_ncmec",
                    action="report.exported_ncmec",
                    object_type="report",
                    object_id=report.pk,
                    after={
                        "reference": report.reference,
                        "files": len(file_xmls),
                        "sha256": {n: hashlib.sha256(b).hexdigest() for n, b in documents},
                    },
                )
                _record_lookup(actor, report.reference, len(documents))
        except Exception:
            _remove(written)  # an export that is not audited must not be left behind
            raise
        self.stdout.write(f"{report.reference}: wrote {len(written)} documents to {out}")

    def _report(self, reference: str) -> Report:
        report = Report.objects.filter(reference=reference.strip().upper()).first()
        if report is None:
            raise CommandError(f"no report {reference!r}")
        if report.sharing_level == SharingLevel.RED:
            raise CommandError(
                f"{report.reference} is {SharingLevel.RED}: it may not go beyond its named "
                "recipients, so it is not exported."
            )
        return report

    def _actor(self, username: str | None) -> User | None:
        if not username:
            return None
        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"no active user {username!r}")
        return actor
