"""Small-count protection for published tables (k-anonymity with k = 11), pure and testable.

Every table is a breakdown of one unit (reports, victims or cases) by year and one dimension, and
every year's row adds up to that year's total for the unit, the same in every table of the unit.
A row is protected on its own:

- a year with fewer than k units is not published in any table of its unit (its total is the
  same in all of them, so they all drop it);
- otherwise every category under k is merged into one "Other" cell; while that cell holds fewer
  than k, or a single category, the smallest published category joins it. Every published cell
  then counts at least k, and the row still adds up to its total, so nothing is hidden that
  subtracting published figures could reveal: a merged category's count appears nowhere on its
  own, and "Other" always mixes two or more categories.

Tables never share a dimension (no two tables of one unit break a year down by the same thing),
so no second table isolates a merged category either.
"""

from __future__ import annotations

from dataclasses import dataclass, field

K = 11
OTHER = "__other__"


@dataclass(frozen=True)
class Row:
    """One year of one table as published: cells of at least k, and what "Other" merges."""

    year: int
    cells: dict[str, int]
    merged: tuple[str, ...] = ()
    total: int = 0


@dataclass(frozen=True)
class Table:
    """A protected table: its published rows, and the years left out as too small."""

    rows: tuple[Row, ...]
    suppressed_years: tuple[int, ...] = field(default=())


def protect_row(year: int, counts: dict[str, int], k: int = K) -> Row | None:
    """The row as it may be published, or None when the year's total is under k."""
    counts = {value: n for value, n in counts.items() if n > 0}
    total = sum(counts.values())
    if total < k:
        return None
    merged = sorted(value for value, n in counts.items() if n < k)
    kept = {value: n for value, n in counts.items() if n >= k}
    while merged and (sum(counts[v] for v in merged) < k or len(merged) < 2) and kept:
        smallest = min(kept, key=lambda v: (kept[v], v))
        del kept[smallest]
        merged.append(smallest)
    cells = dict(kept)
    if merged:
        cells[OTHER] = sum(counts[v] for v in merged)
    return Row(year=year, cells=cells, merged=tuple(sorted(merged)), total=total)


def protect_table(counts: dict[int, dict[str, int]], k: int = K) -> Table:
    """Every year of a table protected; the years too small to publish listed."""
    rows, dropped = [], []
    for year in sorted(counts):
        row = protect_row(year, counts[year], k)
        if row is None:
            dropped.append(year)
        else:
            rows.append(row)
    return Table(rows=tuple(rows), suppressed_years=tuple(dropped))
