"""CSV export of dashboard tables, safe to open in a spreadsheet."""

from __future__ import annotations

import csv

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from tipline.dashboards.selectors import Cell, DashboardFilters, Table

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection). Platform
# names are free text from outside, so any of them could be "=HYPERLINK(...)".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(cell: Cell) -> Cell:
    """The cell, with a leading quote if a spreadsheet would read it as a formula.

    Numbers are left alone: a negative count never occurs, and -1.5 is no formula.
    """
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def csv_filename(table: Table, filters: DashboardFilters) -> str:
    """`tipline-volume_by_type-2026-01-01-to-2026-03-31.csv`, and the type when one is chosen."""
    parts = ["tipline", table.name, f"{filters.start}-to-{filters.end}"]
    if filters.incident_type:
        parts.append(filters.incident_type)
    return "-".join(parts) + ".csv"


def csv_response(table: Table, filters: DashboardFilters) -> HttpResponse:
    """The table as a CSV download: a header row, then the rows exactly as the page shows them."""
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": content_disposition_header(
                as_attachment=True, filename=csv_filename(table, filters)
            )
        },
    )
    writer = csv.writer(response)
    writer.writerow([csv_safe(c) for c in table.columns])
    writer.writerows([csv_safe(c) for c in row] for row in table.rows)
    return response
