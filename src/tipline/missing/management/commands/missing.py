"""`tipline missing fit` re-fits the missing-child matcher on reviewers' decisions;
`tipline missing match --registry R.jsonl --sightings S.jsonl --out M.jsonl` matches files
offline (see `missing.offline` for the line format); `tipline missing match --threshold` prints
the probability from which the platform calls a match likely."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tipline.missing.offline import MemoryIndex, likely_threshold, match_one, person_of, read_lines
from tipline.people.choices import OwnerKind
from tipline.people.selectors import people_profile
from tipline.people.services import people_fit


class Command(BaseCommand):
    help = "Missing-child matching: fit the matcher on decisions, or match files offline."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("fit", help="Re-fit m, u and the calibration on reviewers' decisions.")
        match = sub.add_parser("match", help="Match sightings against a registry, offline.")
        match.add_argument("--registry", type=Path)
        match.add_argument("--sightings", type=Path)
        match.add_argument("--out", type=Path)
        match.add_argument("--threshold", action="store_true", help="Print the likely threshold.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "fit":
            self._fit()
        elif options["threshold"]:
            self.stdout.write(f"{likely_threshold():.2f}")
        else:
            self._match(options)

    def _fit(self) -> None:
        _, row = people_fit(owner_kind=OwnerKind.MISSING_RECORD)
        calibration = row.parameters.get("calibration")
        self.stdout.write(
            f"Fitted missing_record on {row.confirmed} confirmed and {row.rejected} rejected "
            f"pairs; calibration {calibration or 'none (needs both kinds of decision)'}."
        )

    def _match(self, options: dict[str, Any]) -> None:
        paths = [options[name] for name in ("registry", "sightings", "out")]
        if not all(paths):
            raise CommandError("Give --registry, --sightings and --out (or --threshold).")
        registry_path, sightings_path, out_path = paths
        try:
            with registry_path.open(encoding="utf-8") as handle:
                registry = [(str(line["id"]), person_of(line)) for line in read_lines(handle)]
            index, profile = (
                MemoryIndex(registry),
                people_profile(owner_kind=OwnerKind.MISSING_RECORD),
            )
            with sightings_path.open(encoding="utf-8") as lines, out_path.open("w") as out:
                count = 0
                for line in read_lines(lines):
                    out.write(
                        json.dumps(match_one(index, profile, line), ensure_ascii=False) + "\n"
                    )
                    count += 1
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"Cannot match: {exc}") from exc
        self.stdout.write(f"Matched {count} sightings against {len(registry)} records: {out_path}")
