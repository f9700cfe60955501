"""`tipline ncmec import PATH… [--actor USER]`: import NCMEC CyberTipline referral packages.

Each PATH is a ZIP package or a folder. A folder's ZIP files (at its top level) are packages of
their own; the rest of the folder is one package. One line per referral says what became of it;
the exit status is 1 when any was not imported (it can be imported again once fixed).

`tipline ncmec demo`: import a few invented packages (demo mode only), as `make run` does.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tipline.accounts.models import User
from tipline.intake.ncmec.samples import PLACES, with_pictures, zip_bytes
from tipline.intake.ncmec.services import (
    FAILED,
    ImportOutcome,
    ncmec_import_source,
    ncmec_import_sources,
)
from tipline.intake.ncmec.sources import (
    FolderSource,
    PackageRefused,
    Source,
    ZipSource,
    open_source,
)

DEMO_REFERRALS = 12
BATCH = 50  # packages read (and looked up) together; each referral still commits on its own


def sources_of(path: Path) -> list[Source]:
    """The packages a path names: itself, or a folder's top-level ZIPs and the rest of it."""
    if not path.is_dir() or path.is_symlink():
        return [open_source(path)]
    zips = sorted(p for p in path.iterdir() if p.suffix.lower() == ".zip" and p.is_file())
    rest = FolderSource(path, str(path), skip=frozenset(p.name for p in zips))
    return [*[ZipSource(z, str(z)) for z in zips], rest]


class Command(BaseCommand):
    help = "Import NCMEC CyberTipline referral packages (ZIP files or folders)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("import", help="Import packages.")
        run.add_argument("paths", nargs="+", type=Path, help="ZIP packages or folders.")
        run.add_argument("--actor", help="Username of the staff member importing (audited).")
        sub.add_parser("demo", help="Import invented packages (demo mode only).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "demo":
            self._demo()
            return
        actor = self._actor(options.get("actor"))
        outcomes: list[ImportOutcome] = []
        for path in options["paths"]:
            outcomes += self._import(Path(path), actor)
        failed = sum(1 for o in outcomes if o.status == FAILED)
        self.stdout.write(f"{len(outcomes) - failed} taken, {failed} not imported")
        if failed:
            raise CommandError(f"{failed} referral(s) not imported; fix and import them again")

    def _import(self, path: Path, actor: User | None) -> list[ImportOutcome]:
        try:
            sources = sources_of(path)
        except PackageRefused as exc:
            refused = ImportOutcome(str(path), "", FAILED, error=exc.message)
            self._say(refused)
            return [refused]
        outcomes: list[ImportOutcome] = []
        for start in range(0, len(sources), BATCH):  # earlier imports looked up once a batch
            outcomes += ncmec_import_sources(sources=sources[start : start + BATCH], actor=actor)
        for outcome in outcomes:
            self._say(outcome)
        return outcomes

    def _say(self, o: ImportOutcome) -> None:
        if o.status == FAILED:
            self.stdout.write(f"failed    {o.package}: {o.error}")
        else:
            self.stdout.write(f"{o.status:<9} NCMEC {o.number} -> {o.reference} ({o.package})")

    def _actor(self, username: str | None) -> User | None:
        if not username:
            return None
        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(f"no active user {username!r}")
        return actor

    def _demo(self) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("`tipline ncmec demo` runs in demo mode only (TIPLINE_DEMO=1).")
        referrals = []
        for n in range(DEMO_REFERRALS):
            referral = with_pictures(str(190_000_000 + n), count=1 + n % 2, priority="123E"[n % 4])
            referral.place = PLACES[n % len(PLACES)]
            referrals.append(referral)
        source = ZipSource(io.BytesIO(zip_bytes(referrals)), "demo-ncmec-referrals.zip")
        outcomes = ncmec_import_source(source=source, actor=None)
        taken = sum(1 for o in outcomes if o.status != FAILED)
        self.stdout.write(f"NCMEC demo referrals: {taken} of {len(outcomes)} taken")
