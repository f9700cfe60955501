"""k-anonymity of the published tables: no cell under 11, and no hidden count recoverable.

Data with many rare combinations is generated, protected, and attacked the way a reader would:
every published figure is a linear equation over the true counts (a cell is one count, "Other"
the sum of its categories, a row's total the sum of the row). A hidden count can be worked out
by adding and subtracting published figures exactly when its unit vector lies in the span of
those equations; the test checks, by matrix rank, that none does.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from tipline.publicstats.suppression import OTHER, K, protect_row, protect_table

Cell = tuple[str, int, str]  # table, year, category


def _rare_data(seed: int) -> dict[str, dict[int, dict[str, int]]]:
    """Three tables of one unit (the same yearly totals), with heavy tails of rare categories
    and years of every size, from a handful to hundreds."""
    rng = random.Random(seed)
    units = []
    for year in range(2019, 2027):
        for _ in range(rng.choice([3, 9, 12, 40, 150, 400])):
            units.append(
                (
                    year,
                    f"state{int(rng.paretovariate(1.2)) % 37}",
                    f"type{int(rng.paretovariate(1.5)) % 19}",
                    f"Q{rng.randint(1, 4)}",
                )
            )
    tables: dict[str, dict[int, dict[str, int]]] = {"state": {}, "type": {}, "quarter": {}}
    for year, state, kind, quarter in units:
        for table, value in (("state", state), ("type", kind), ("quarter", quarter)):
            row = tables[table].setdefault(year, {})
            row[value] = row.get(value, 0) + 1
    return tables


def _equations(truth: dict[str, dict[int, dict[str, int]]], cells: list[Cell]) -> np.ndarray:
    index = {cell: i for i, cell in enumerate(cells)}
    rows: list[np.ndarray] = []
    for table, counts in truth.items():
        for row in protect_table(counts).rows:
            members = {v: [v] for v in row.cells if v != OTHER} | {OTHER: list(row.merged)}
            for value in row.cells:
                vector = np.zeros(len(cells))
                for member in members[value]:
                    vector[index[(table, row.year, member)]] = 1
                rows.append(vector)
            total = np.zeros(len(cells))
            for value in counts[row.year]:
                total[index[(table, row.year, value)]] = 1
            rows.append(total)
    return np.array(rows)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_published_cell_counts_fewer_than_11(seed: int) -> None:
    for counts in _rare_data(seed).values():
        table = protect_table(counts)
        assert table.rows, "the data must leave something to publish"
        for row in table.rows:
            assert all(n >= K for n in row.cells.values()), row
            assert sum(row.cells.values()) == row.total == sum(counts[row.year].values())
            assert not row.merged or len(row.merged) >= 2
        assert all(sum(counts[y].values()) < K for y in table.suppressed_years)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_suppressed_cells_cannot_be_recovered_by_subtracting_published_figures(seed: int) -> None:
    truth = _rare_data(seed)
    cells = [(t, y, v) for t, counts in truth.items() for y, row in counts.items() for v in row]
    published = _equations(truth, cells)
    rank = np.linalg.matrix_rank(published)
    hidden = [c for c in cells if 0 < truth[c[0]][c[1]][c[2]] < K]
    assert len(hidden) > 20, "the data must hold rare combinations to protect"
    for cell in hidden:
        unit = np.zeros(len(cells))
        unit[cells.index(cell)] = 1
        assert np.linalg.matrix_rank(np.vstack([published, unit])) == rank + 1, cell


def test_a_lone_small_category_takes_the_smallest_other_with_it() -> None:
    row = protect_row(2025, {"Lagos": 40, "Kano": 12, "Ekiti": 3})
    assert row is not None
    assert row.cells == {"Lagos": 40, OTHER: 15} and row.merged == ("Ekiti", "Kano")


def test_a_year_under_11_is_left_out_and_a_clean_year_is_published_whole() -> None:
    assert protect_row(2020, {"Lagos": 6, "Kano": 4}) is None
    row = protect_row(2021, {"Lagos": 11, "Kano": 20})
    assert row is not None and row.cells == {"Lagos": 11, "Kano": 20} and row.merged == ()
