"""What dashboards.js draws with Chart.js: plain data derived from the same tables the page shows.

A chart spec names its table, so the figure, its table and its CSV export can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tipline.dashboards.selectors import Table


@dataclass(frozen=True)
class ChartStyle:
    """How one table is drawn: the Chart.js type, stacked or not, and which columns are series."""

    kind: str
    stacked: bool = False
    horizontal: bool = False
    skip_last: bool = False  # a trailing "Total" column is in the table, not in the chart
    columns: tuple[str, ...] = ()  # only these columns as series (default: all but the first)


CHART_STYLES: dict[str, ChartStyle] = {
    "volume_by_type": ChartStyle("bar", stacked=True, skip_last=True),
    "volume_by_channel": ChartStyle("bar", stacked=True, skip_last=True),
    "volume_by_platform": ChartStyle("bar", stacked=True, skip_last=True),
    "time_to_triage": ChartStyle("line", columns=("Median hours", "90th percentile hours")),
    "open_workload": ChartStyle("bar", stacked=True, horizontal=True, skip_last=True),
    "priority_mix": ChartStyle("bar", columns=("Reports",)),
}


def _series_columns(table: Table, style: ChartStyle) -> list[int]:
    if style.columns:
        return [table.columns.index(c) for c in style.columns]
    last = len(table.columns) - 1 if style.skip_last else len(table.columns)
    return list(range(1, last))


def chart_spec(table: Table) -> dict[str, Any]:
    """The JSON-safe description of the chart for `table` (which must have a style)."""
    style = CHART_STYLES[table.name]
    datasets = [
        {"label": table.columns[i], "data": [row[i] for row in table.rows]}
        for i in _series_columns(table, style)
    ]
    return {
        "name": table.name,
        "kind": style.kind,
        "stacked": style.stacked,
        "horizontal": style.horizontal,
        "labels": [row[0] for row in table.rows],
        "datasets": datasets,
    }


def chart_specs(tables: dict[str, Table]) -> list[dict[str, Any]]:
    """Specs for every table that is drawn as a chart, in the order given."""
    return [chart_spec(t) for name, t in tables.items() if name in CHART_STYLES]
