"""`tipline stats publish --as USER` computes a draft release; `tipline stats approve ID --as USER`
publishes it; `tipline stats withdraw ID --as USER` takes one down."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tipline.accounts.models import User
from tipline.publicstats.choices import TABLES, ReleaseStatus
from tipline.publicstats.models import StatsRelease
from tipline.publicstats.services import release_compute, release_transition


class Command(BaseCommand):
    help = "Public statistics: compute a release (k = 11 protected), approve or withdraw one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        publish = sub.add_parser("publish", help="Compute a draft release for approval.")
        publish.add_argument("--as", dest="username", required=True, help="The supervisor.")
        for action in ("approve", "withdraw"):
            move = sub.add_parser(action, help=f"{action.capitalize()} a release.")
            move.add_argument("release", type=int, help="The release's number.")
            move.add_argument("--as", dest="username", required=True, help="The supervisor.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["username"], is_active=True).first()
        if actor is None:
            raise CommandError("No such active user.")
        try:
            if options["action"] == "publish":
                self._summary(release_compute(actor=actor))
                return
            release = StatsRelease.objects.filter(pk=options["release"]).first()
            if release is None:
                raise CommandError("No such release.")
            to = (
                ReleaseStatus.APPROVED
                if options["action"] == "approve"
                else ReleaseStatus.WITHDRAWN
            )
            moved = release_transition(release=release, to_status=to, actor=actor)
        except (PermissionDenied, ValidationError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Release {moved.pk} is now {moved.status}.")

    def _summary(self, release: StatsRelease) -> None:
        self.stdout.write(f"Release {release.pk} computed (draft, k = {release.k}).")
        for table_id, (_, _, title) in TABLES.items():
            table = release.tables[table_id]
            years = ", ".join(str(row["year"]) for row in table["rows"]) or "none"
            dropped = ", ".join(str(y) for y in table["suppressed_years"]) or "none"
            self.stdout.write(f"  {title}: years {years}; left out (under k): {dropped}")
        for held in release.differencing.get("held", []):
            kept = held["kept_from"]
            what = f"kept at release {kept}'s figures" if kept else "held back"
            self.stdout.write(f"  {held['unit']}, {held['year']}: {what} (differencing check):")
            for reason in held["reasons"]:
                self.stdout.write(f"    {reason}")
        self.stdout.write(
            f"Check it at /console/statistics/{release.pk}/, or approve it here: "
            f"tipline stats approve {release.pk} --as <supervisor>"
        )
