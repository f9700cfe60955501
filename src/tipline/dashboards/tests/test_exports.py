from __future__ import annotations

from datetime import date

import pytest

from tipline.dashboards.exports import csv_filename, csv_safe
from tipline.dashboards.selectors import DashboardFilters, Table


@pytest.mark.parametrize("cell", ["=1+1", "+44", "-2", "@cmd", "\tx", "\rx"])
def test_formula_starts_get_a_leading_quote(cell: str) -> None:
    assert csv_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Lagos", "", "a=b", 3, -1.5, None])
def test_other_cells_are_left_alone(cell: object) -> None:
    assert csv_safe(cell) == cell  # type: ignore[arg-type]  # the point is any cell type


def test_filename_names_the_table_period_and_type() -> None:
    table = Table("priority_mix", "Priority mix", ("Priority",), ())
    filters = DashboardFilters(date(2026, 1, 1), date(2026, 3, 31), "forced_begging")
    assert csv_filename(table, filters) == (
        "tipline-priority_mix-2026-01-01-to-2026-03-31-forced_begging.csv"
    )
