"""`tipline hashlist ...`: create, import, export, list, and switch hash lists and entries.

Every change goes through `media.services` and is audited (the actor is the command line).
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tipline.media.hashlists import HashRecord, export_records
from tipline.media.models import HashList, HashListEntry
from tipline.media.services import (
    hashlist_create,
    hashlist_entry_set_enabled,
    hashlist_import,
    hashlist_set_active,
)
from tipline.reports.choices import SharingLevel


class Command(BaseCommand):
    help = "Manage hash lists: list, create, import, export, enable/disable entries, activate."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="Every list with its entry counts.")
        create = sub.add_parser("create", help="A new, active list.")
        create.add_argument("name")
        create.add_argument("--source", required=True)
        create.add_argument("--category-scheme", default="")
        create.add_argument("--sharing", default=SharingLevel.AMBER, choices=SharingLevel.values)
        create.add_argument(
            "--unidentified-victim",
            action="store_true",
            help="A match to this list makes a report P1.",
        )
        imp = sub.add_parser("import", help="CSV, VICS JSON (1.3 or 2.0) or our export.")
        imp.add_argument("name")
        imp.add_argument("file", help="path, or - for standard input")
        imp.add_argument("--format", choices=["csv", "vics", "tipline"], default=None)
        exp = sub.add_parser("export", help="Our JSON Lines export, to a file or -.")
        exp.add_argument("name")
        exp.add_argument("file")
        for verb in ("enable", "disable"):
            entry = sub.add_parser(verb, help=f"{verb.title()} the entries with this hash.")
            entry.add_argument("name")
            entry.add_argument("hash", help="MD5, SHA-1 or PDQ hex")
            entry.add_argument("--reason", default="")
        for verb in ("activate", "deactivate"):
            sub.add_parser(verb, help=f"{verb.title()} a whole list.").add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        getattr(self, f"_{action}")(options)

    def _list(self, options: dict[str, Any]) -> None:
        for hash_list in HashList.objects.order_by("name"):
            entries = hash_list.entries
            self.stdout.write(
                f"{hash_list.name}\t{'active' if hash_list.active else 'inactive'}\t"
                f"{entries.count()} entries ({entries.filter(enabled=False).count()} disabled)\t"
                f"{hash_list.sharing_level}\t"
                f"{'unidentified-victim' if hash_list.unidentified_victim else ''}"
            )

    def _create(self, options: dict[str, Any]) -> None:
        if HashList.objects.filter(name=options["name"]).exists():
            raise CommandError(f"A list named {options['name']!r} exists already.")
        hashlist_create(
            name=options["name"],
            source=options["source"],
            actor=None,
            category_scheme=options["category_scheme"],
            sharing_level=options["sharing"],
            unidentified_victim=options["unidentified_victim"],
        )
        self.stdout.write(f"created {options['name']}")

    def _import(self, options: dict[str, Any]) -> None:
        hash_list = _list_named(options["name"])
        path = options["file"]
        try:
            stream = sys.stdin.buffer if path == "-" else Path(path).open("rb")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        with stream:
            result = hashlist_import(
                hash_list=hash_list, stream=stream, actor=None, fmt=options["format"]
            )
        for error in result.errors[:50]:
            self.stderr.write(error)
        self.stdout.write(
            f"added {result.added}, already present {result.duplicates}, "
            f"refused {len(result.errors)}"
        )

    def _export(self, options: dict[str, Any]) -> None:
        hash_list = _list_named(options["name"])
        header = {
            "name": hash_list.name,
            "source": hash_list.source,
            "category_scheme": hash_list.category_scheme,
            "sharing_level": hash_list.sharing_level,
            "unidentified_victim": hash_list.unidentified_victim,
        }
        lines = export_records(header, _records(hash_list))
        if options["file"] == "-":
            for line in lines:
                self.stdout.write(line, ending="")
            return
        with Path(options["file"]).open("x", encoding="utf-8") as out:
            out.writelines(lines)

    def _enable(self, options: dict[str, Any]) -> None:
        self._set_enabled(options, enabled=True)

    def _disable(self, options: dict[str, Any]) -> None:
        self._set_enabled(options, enabled=False)

    def _set_enabled(self, options: dict[str, Any], *, enabled: bool) -> None:
        hash_list, value = _list_named(options["name"]), options["hash"].strip().lower()
        field = {32: "md5", 40: "sha1", 64: "pdq"}.get(len(value))
        if field is None:
            raise CommandError("Give an MD5 (32), SHA-1 (40) or PDQ (64) hex hash.")
        entries = list(hash_list.entries.filter(**{field: value}))
        if not entries:
            raise CommandError(f"No entry with {field} {value} in {hash_list.name}.")
        for entry in entries:
            hashlist_entry_set_enabled(
                entry=entry, enabled=enabled, actor=None, reason=options["reason"]
            )
        self.stdout.write(f"{'enabled' if enabled else 'disabled'} {len(entries)} entries")

    def _activate(self, options: dict[str, Any]) -> None:
        hashlist_set_active(hash_list=_list_named(options["name"]), active=True, actor=None)

    def _deactivate(self, options: dict[str, Any]) -> None:
        hashlist_set_active(hash_list=_list_named(options["name"]), active=False, actor=None)


def _list_named(name: str) -> HashList:
    found = HashList.objects.filter(name=name).first()
    if found is None:
        raise CommandError(f"No hash list named {name!r}.")
    return found


def _records(hash_list: HashList) -> Any:
    entries = HashListEntry.objects.filter(hash_list=hash_list).order_by("pk")
    for entry in entries.iterator(chunk_size=5000):
        yield HashRecord(
            md5=entry.md5 or None,
            sha1=entry.sha1 or None,
            pdq=entry.pdq or None,
            label=entry.label,
            category=entry.category or None,
            victim_identified=entry.victim_identified,
            extra=dict(entry.extra),
            line=0,
            enabled=entry.enabled,
        )
