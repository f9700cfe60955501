"""CSV export of a list of reports (the queue, a search), safe to open in a spreadsheet.

Times are UTC in ISO 8601: an export is read by programs and other agencies, not by the
console's readers, so it keeps the stored zone (the console shows West Africa Time).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import UTC
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.http import content_disposition_header

from tipline.accounts.types import StaffRequest
from tipline.common.http import client_ip
from tipline.common.time import utcnow
from tipline.reports.models import Report
from tipline.triage.services import reports_exported

# Most rows one export carries; a bigger one is a data request, not a click.
EXPORT_MAX = 10_000
COLUMNS = [
    "reference",
    "received_at_utc",
    "priority",
    "status",
    "incident_type",
    "channel",
    "state",
    "command",
    "assigned_to",
]
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _row(report: Report) -> list[str]:
    return [
        report.reference,
        report.received_at.astimezone(UTC).isoformat(),
        report.priority or "",
        report.status,
        report.incident_type,
        report.channel,
        report.state.code if report.state else "",
        report.routed_command.code if report.routed_command else "",
        report.assigned_to.username if report.assigned_to else "",
    ]


def reports_csv_response(reports: Iterable[Report], *, name: str) -> HttpResponse:
    """The reports as a CSV download named `tipline-<name>-<UTC time>.csv`."""
    filename = f"tipline-{name}-{utcnow():%Y%m%dT%H%MZ}.csv"
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": content_disposition_header(as_attachment=True, filename=filename)
        },
    )
    writer = csv.writer(response)
    writer.writerow(COLUMNS)
    writer.writerows([_safe(c) for c in _row(r)] for r in reports)
    return response


def reports_export_response(
    request: StaffRequest, qs: QuerySet[Report], *, source: str, criteria: dict[str, Any]
) -> HttpResponse:
    """The list as CSV (at most EXPORT_MAX rows), with its audit row written first."""
    reports = list(qs.select_related("assigned_to", "state", "routed_command")[:EXPORT_MAX])
    reports_exported(
        actor=request.user,
        source=source,
        criteria={k: v for k, v in criteria.items() if v},
        references=[r.reference for r in reports],
        ip=client_ip(request),
    )
    return reports_csv_response(reports, name=source)
