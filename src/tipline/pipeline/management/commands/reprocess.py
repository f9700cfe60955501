"""`tipline reprocess --since DATE [--step NAME]`: re-run steps after a rule or data change.

Steps replace their own output, so reprocessing gives the same result as running the step once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tipline.pipeline.choices import Step
from tipline.pipeline.services import pipeline_run
from tipline.reports.models import Report


def _date(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--since must be a date like 2026-11-01, not {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = "Re-run pipeline steps (all, or --step NAME) for reports received since a date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", required=True, type=_date)
        parser.add_argument(
            "--step",
            action="append",
            choices=[s.value for s in Step],
            help="Repeatable. Default: every step.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        steps = set(options["step"]) if options["step"] else None
        ids = Report.objects.filter(received_at__gte=options["since"]).order_by("pk")
        done = busy = failed = 0
        for report_id in ids.values_list("pk", flat=True).iterator(chunk_size=1000):
            outcome = pipeline_run(report_id=report_id, only=steps, force=True)
            done, busy = done + outcome.done, busy + outcome.busy
            failed += not outcome.done and not outcome.busy
        self.stdout.write(f"reprocessed {done} reports; {busy} busy elsewhere; {failed} failed")
