"""`tipline people_fit --kind K`: re-fit a registry's match profile on reviewers' decisions."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tipline.people.services import people_fit


class Command(BaseCommand):
    help = "Re-fit the person matcher's m and u probabilities for one registry from decisions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, help="Registry, e.g. case_person.")

    def handle(self, *args: Any, **options: Any) -> None:
        profile, row = people_fit(owner_kind=options["kind"])
        self.stdout.write(
            f"Fitted {row.owner_kind} on {row.confirmed} confirmed and {row.rejected} rejected "
            f"pairs (prior {profile.prior:g})."
        )
        for field in profile.fields:
            self.stdout.write(f"{field}:")
            for level, m in profile.m[field].items():
                u = profile.u[field][level]
                self.stdout.write(f"  {level:<9} m={m:.4f} u={u:.6f}")
        calibration = profile.calibration
        self.stdout.write(
            f"calibration: a={calibration[0]:.4f} b={calibration[1]:.4f}"
            if calibration
            else "calibration: none (needs both confirmed and rejected pairs)"
        )
