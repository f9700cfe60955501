"""Processes of their own for the worker tests: `python -m tipline.pipeline.tests.harness CMD`.

  submit N          seed the commands and submit N invented reports
  worker            run `tipline worker`
  stalling MARKER   run `tipline worker`, but hang in the middle of its first batch (after a
                    batch step has written for every report), touching MARKER to say so
  outcome           print, as JSON, what the pipeline did to each report

The database is the one DATABASE_URL names, as for any `tipline` command.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from unittest import mock

import django


def _submit(count: int) -> None:
    from tipline.conftest import draft
    from tipline.geo.services import geo_seed_defaults
    from tipline.reports.services import report_submit

    geo_seed_defaults()
    for _ in range(count):
        report_submit(draft=draft())


def _stalling(marker: Path) -> None:
    from tipline.pipeline import steps

    def hang(reports: list[Any], facts: Any) -> None:
        marker.touch()
        time.sleep(3600)  # until killed

    stalled = [*steps.BATCH_STEPS[:3], ("hang", hang), *steps.BATCH_STEPS[3:]]
    with mock.patch("tipline.pipeline.services.BATCH_STEPS", stalled):
        _worker()


def _worker() -> None:
    from django.core.management import call_command

    call_command("worker", "--interval", "0.5", verbosity=0)


def outcome() -> dict[str, Any]:
    """Per report: status, (step, attempts) records, and how often its status changed."""
    from tipline.audit.models import AuditEvent
    from tipline.pipeline.models import StepRun
    from tipline.reports.models import Report

    changes = Counter(
        AuditEvent.objects.filter(action="report.status_changed").values_list(
            "object_id", flat=True
        )
    )
    runs: dict[int, list[tuple[str, int]]] = {}
    for report_id, step, attempts in StepRun.objects.values_list("report_id", "step", "attempts"):
        runs.setdefault(report_id, []).append((step, attempts))
    return {
        str(pk): {"status": status, "runs": sorted(runs.get(pk, [])), "changes": changes[str(pk)]}
        for pk, status in Report.objects.values_list("pk", "status")
    }


def main(argv: list[str]) -> None:
    django.setup()
    command = argv[0]
    if command == "submit":
        _submit(int(argv[1]))
    elif command == "worker":
        _worker()
    elif command == "stalling":
        _stalling(Path(argv[1]))
    elif command == "outcome":
        print(json.dumps(outcome()))


if __name__ == "__main__":
    main(sys.argv[1:])
