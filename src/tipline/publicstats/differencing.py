"""Differencing across releases: no small count may be worked out by comparing two releases.

Each release is protected on its own (suppression.py), but a reader keeps the old ones. Subtracting
a year's row of an earlier release from the same row of a new one gives the change in between: if
Lagos counted 30 reports in release 4 and 33 in release 5, three reports came from Lagos in the
days between them, a count under k. What a reader can work out from two rows of one table is the
change of every block of categories that both rows publish whole (a category alone, an "Other",
or a union of them that both rows cover), and the change of the total. A change of 1 to k - 1 in
any of them is a leak.

A unit's year (reports, victims or cases; all its tables share the year's total) whose new rows
would leak against any release ever published keeps the rows of the last approved release that
showed it, unchanged, so the change a reader sees is none; when no approved release showed all of
them, the year is held back from the new release. Either way the release says so, with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tipline.publicstats.suppression import OTHER, K

RowData = Mapping[str, Any]  # a stored row: {"year", "cells", "merged", "total"}
Tables = dict[str, dict[str, Any]]  # table id -> {"rows": [...], "suppressed_years": [...]}


@dataclass(frozen=True)
class Published:
    """A release that has been public (approved, even if withdrawn since)."""

    pk: int
    tables: Mapping[str, Any]
    approved_now: bool


def _cell_members(row: RowData) -> list[frozenset[str]]:
    merged = frozenset(row.get("merged", ()))
    return [merged if value == OTHER else frozenset({value}) for value in row["cells"]]


def _blocks(new: RowData, old: RowData) -> list[frozenset[str]]:
    """The smallest sets of categories each published whole by both rows (a union-find over the
    cells of both; a category a row does not name at all counts 0 there, which a reader knows)."""
    parent: dict[str, str] = {}

    def find(value: str) -> str:
        while parent.setdefault(value, value) != value:
            value = parent[value]
        return value

    for members in _cell_members(new) + _cell_members(old):
        first, *rest = sorted(members)
        root = find(first)  # registers a category that stands alone too
        for other in rest:
            parent[find(other)] = root
    groups: dict[str, set[str]] = {}
    for value in list(parent):
        groups.setdefault(find(value), set()).add(value)
    return [frozenset(group) for group in groups.values()]


def _sum_over(row: RowData, block: frozenset[str]) -> int:
    cells = zip(_cell_members(row), row["cells"].values(), strict=True)
    return sum(count for members, count in cells if members <= block)


def _describe(block: frozenset[str]) -> str:
    return " + ".join(sorted(block))


def row_leaks(new: RowData, old: RowData, k: int = K) -> list[str]:
    """What subtracting `old` from `new` (one table, one year) would reveal under k, in words;
    empty when every change a reader can compute is 0 or at least k."""
    changes = [(f"the total of {new['year']}", new["total"] - old["total"])]
    changes += [
        (_describe(block), _sum_over(new, block) - _sum_over(old, block))
        for block in sorted(_blocks(new, old), key=sorted)
    ]
    return [
        f"{what} would change by {change:+d}" for what, change in changes if 0 < abs(change) < k
    ]


def _rows_of(tables: Mapping[str, Any], table_id: str) -> dict[int, RowData]:
    return {row["year"]: row for row in tables.get(table_id, {}).get("rows", [])}


def unit_year_leaks(
    tables: Mapping[str, Any],
    table_ids: Sequence[str],
    year: int,
    published: Sequence[Published],
    k: int = K,
) -> list[str]:
    """Every leak of one unit's year, in every table of the unit, against every release ever
    published ("Reports by state, against release 4: Lagos would change by +3")."""
    found = []
    for table_id in table_ids:
        new = _rows_of(tables, table_id).get(year)
        for release in published:
            old = _rows_of(release.tables, table_id).get(year)
            if new is None or old is None:
                continue
            for leak in row_leaks(new, old, k):
                found.append(f"{table_id}, against release {release.pk}: {leak}")
    return found


def _replace_year(tables: Tables, table_id: str, year: int, row: RowData | None) -> None:
    rows = [r for r in tables[table_id]["rows"] if r["year"] != year]
    if row is not None:
        rows.append(dict(row))
    tables[table_id]["rows"] = sorted(rows, key=lambda r: r["year"])


def _carry_from(
    table_ids: Sequence[str], year: int, published: Sequence[Published]
) -> Published | None:
    """The last approved release that showed this year in every table of the unit."""
    for release in sorted(published, key=lambda r: r.pk, reverse=True):
        if release.approved_now and all(year in _rows_of(release.tables, t) for t in table_ids):
            return release
    return None


def hold_leaky_years(
    tables: Tables, units: Mapping[str, Sequence[str]], published: Sequence[Published], k: int = K
) -> list[dict[str, Any]]:
    """Make `tables` safe to publish beside `published`, in place: every unit's year that would
    leak keeps the figures of the last approved release that showed it, or is held back. Returns
    what was done, year by year, with the reasons (stored on the release, shown to approvers)."""
    held: list[dict[str, Any]] = []
    for unit, table_ids in units.items():
        years = {year for t in table_ids for year in _rows_of(tables, t)}
        for year in sorted(years):
            reasons = unit_year_leaks(tables, table_ids, year, published, k)
            if not reasons:
                continue
            source = _carry_from(table_ids, year, published)
            for table_id in table_ids:
                row = _rows_of(source.tables, table_id)[year] if source else None
                _replace_year(tables, table_id, year, row)
            if source and unit_year_leaks(tables, table_ids, year, published, k):
                for table_id in table_ids:  # the kept figures leak against an older release
                    _replace_year(tables, table_id, year, None)
                source = None
            held.append(
                {
                    "unit": unit,
                    "year": year,
                    "tables": list(table_ids),
                    "kept_from": source.pk if source else None,
                    "reasons": reasons,
                }
            )
    return held
