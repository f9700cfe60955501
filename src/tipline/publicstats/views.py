"""The public statistics page and the dataset of the last approved release (CSV and JSON)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_GET

from tipline.publicstats.choices import TABLES
from tipline.publicstats.models import StatsRelease
from tipline.publicstats.selectors import release_published
from tipline.publicstats.suppression import OTHER

OTHER_LABEL = gettext_noop("Other (categories under %(k)s, merged)")


def _label(value: str, release: StatsRelease) -> str:
    """A category in the reader's language: "Other", and the fixed words of selectors.py (an age
    band and a sex are joined by a comma); names of places and incident types stay as stored."""
    if value == OTHER:
        return gettext(OTHER_LABEL) % {"k": release.k}
    return ", ".join(gettext(part) for part in value.split(", "))


def _row(row: dict[str, Any], release: StatsRelease) -> dict[str, Any]:
    cells = sorted(row["cells"].items(), key=lambda cell: (cell[0] == OTHER, cell[0]))
    return {
        "year": row["year"],
        "total": row["total"],
        "cells": [(_label(value, release), count) for value, count in cells],
        "merged": row["merged"],
    }


def _held(release: StatsRelease, table_id: str) -> tuple[list[Any], list[Any]]:
    """The years the differencing check kept at an earlier release's figures, and held back."""
    held = [h for h in release.differencing.get("held", []) if table_id in h["tables"]]
    kept = [(h["year"], h["kept_from"]) for h in held if h["kept_from"]]
    return kept, [h["year"] for h in held if not h["kept_from"]]


def release_tables(release: StatsRelease) -> list[dict[str, Any]]:
    """Each table as the page and the downloads show it: title, unit, rows of labelled cells."""
    out = []
    for table_id, (unit, dimension, title) in TABLES.items():
        table = release.tables.get(table_id, {"rows": [], "suppressed_years": []})
        kept, held_back = _held(release, table_id)
        out.append(
            {
                "id": table_id,
                "title": gettext(title),
                "unit": unit,
                "dimension": gettext(dimension),
                "rows": [_row(row, release) for row in table["rows"]],
                "suppressed_years": table["suppressed_years"],
                "kept_years": kept,
                "held_back_years": held_back,
            }
        )
    return out


def _published() -> StatsRelease:
    release = release_published()
    if release is None:
        raise Http404("No statistics have been published yet.")
    return release


@require_GET
def statistics_page(request: HttpRequest) -> HttpResponse:
    """The last approved release, its date and the method, or a note that none is out yet."""
    release = release_published()
    context = {"release": release, "tables": release_tables(release) if release else []}
    return render(request, "publicstats/page.html", context)


@require_GET
def statistics_json(request: HttpRequest) -> HttpResponse:
    """The last approved release as JSON."""
    release = _published()
    body = {
        "release": release.pk,
        "approved_at": release.approved_at.isoformat() if release.approved_at else None,
        "k": release.k,
        "tables": release_tables(release),
    }
    return JsonResponse(body)


@require_GET
def statistics_csv(request: HttpRequest) -> HttpResponse:
    """The last approved release as CSV: table, unit, year, category, count."""
    release = _published()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "unit", "year", "category", "count"])
    for table in release_tables(release):
        for row in table["rows"]:
            for label, count in row["cells"]:
                writer.writerow([table["id"], table["unit"], row["year"], label, count])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tipline-statistics-{release.pk}.csv"'
    return response
