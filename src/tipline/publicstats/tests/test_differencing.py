"""Differencing across releases: a reader who keeps every published release and subtracts one from
another learns no count under 11 (a change of a cell, of an "Other", or of a year's total)."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.conftest import draft
from tipline.publicstats.differencing import Published, hold_leaky_years, row_leaks
from tipline.publicstats.models import StatsRelease
from tipline.publicstats.services import release_compute, release_transition
from tipline.publicstats.suppression import OTHER, K, protect_table
from tipline.reports.drafts import IncidentDraft
from tipline.reports.services import report_submit


def _row(cells: dict[str, int], merged: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"year": 2026, "cells": cells, "merged": list(merged), "total": sum(cells.values())}


def test_a_total_that_grows_by_three_would_reveal_three_new_reports() -> None:
    old = _row({"Lagos": 30, OTHER: 15}, ("Kano", "Ogun"))
    new = _row({"Lagos": 33, OTHER: 15}, ("Kano", "Ogun"))
    assert row_leaks(new, old) == [
        "the total of 2026 would change by +3",
        "Lagos would change by +3",
    ]


def test_changes_of_none_or_of_at_least_11_reveal_nothing() -> None:
    old = _row({"Lagos": 30, OTHER: 15}, ("Kano", "Ogun"))
    assert row_leaks(old, old) == []
    assert row_leaks(_row({"Lagos": 41, OTHER: 15}, ("Kano", "Ogun")), old) == []


def test_an_other_that_changes_members_is_compared_over_the_categories_both_cover() -> None:
    # Kano left "Other" to stand alone: Kano + Ogun + Ekiti is what both rows publish whole.
    old = _row({"Lagos": 30, OTHER: 15}, ("Kano", "Ogun"))
    new = _row({"Lagos": 30, "Kano": 11, OTHER: 12}, ("Ekiti", "Ogun"))
    assert row_leaks(new, old) == [
        "the total of 2026 would change by +8",
        "Ekiti + Kano + Ogun would change by +8",
    ]


def _units_data(seed: int) -> tuple[dict[int, dict[str, int]], dict[int, dict[str, int]]]:
    """One table's counts at a first release, and at a second after a few more reports (many
    years and categories: some grow by 1 to 10, some by more, some not at all)."""
    rng = random.Random(seed)
    before: dict[int, dict[str, int]] = {}
    for year in range(2019, 2027):
        before[year] = {f"state{i}": rng.choice([0, 2, 6, 12, 30, 90]) for i in range(8)}
    after = {year: dict(row) for year, row in before.items()}
    for year in rng.sample(sorted(after), 5):
        for state in rng.sample(sorted(after[year]), 3):
            after[year][state] += rng.choice([1, 3, 7, 12, 25])
    return before, after


def _tables(counts: dict[int, dict[str, int]]) -> dict[str, dict[str, Any]]:
    table = protect_table(counts)
    rows = [
        {"year": r.year, "cells": r.cells, "merged": list(r.merged), "total": r.total}
        for r in table.rows
    ]
    return {"by_state": {"rows": rows, "suppressed_years": list(table.suppressed_years)}}


def _equations(published: list[tuple[int, dict[str, Any]]], cells: list[Any]) -> np.ndarray:
    """Every published figure as an equation over (release, year, state) counts."""
    index = {cell: i for i, cell in enumerate(cells)}
    rows = []
    for release, tables in published:
        for row in tables["by_state"]["rows"]:
            for value in row["cells"]:
                members = row["merged"] if value == OTHER else [value]
                vector = np.zeros(len(cells))
                for member in members:
                    vector[index[(release, row["year"], member)]] = 1
                rows.append(vector)
    return np.array(rows)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_no_change_under_11_can_be_worked_out_from_two_releases(seed: int) -> None:
    before, after = _units_data(seed)
    first = _tables(before)
    second = _tables(after)
    held = hold_leaky_years(second, {"units": ["by_state"]}, [Published(1, first, True)])
    assert held, "the data must hold years that would leak"
    assert all(h["kept_from"] == 1 and h["reasons"] for h in held)
    # A kept year publishes release 1's figures again: equations over release 1's counts.
    kept = {h["year"] for h in held}
    truth = {1: before, 2: after}
    cells = [(r, y, s) for r, counts in truth.items() for y in counts for s in counts[y]]
    for row in second["by_state"]["rows"]:
        assert row["year"] not in kept or row in first["by_state"]["rows"]
    fresh = {"by_state": {"rows": [r for r in second["by_state"]["rows"] if r["year"] not in kept]}}
    published = _equations([(1, first), (2, fresh)], cells)
    rank = np.linalg.matrix_rank(published)
    small = [
        (year, state)
        for year in after
        for state in after[year]
        if 0 < after[year][state] - before[year][state] < K
    ]
    assert small, "the data must hold small changes to protect"
    for year, state in small:
        change = np.zeros(len(cells))
        change[cells.index((2, year, state))] = 1
        change[cells.index((1, year, state))] = -1
        assert np.linalg.matrix_rank(np.vstack([published, change])) == rank + 1, (year, state)


@pytest.fixture
def supervisor(make_user: Callable[..., User]) -> User:
    return make_user(Role.SUPERVISOR, (), national=True)


def _reports(state: str, count: int) -> None:
    for _ in range(count):
        incident = IncidentDraft(type="labour_exploitation", state_code=state)
        report_submit(draft=draft(incident=incident))


def _approve(release: StatsRelease, supervisor: User) -> StatsRelease:
    return release_transition(release=release, to_status="approved", actor=supervisor)


def test_a_release_three_reports_after_the_last_keeps_its_figures_and_says_why(
    geo: Any, supervisor: User
) -> None:
    _reports("LA", 30)
    first = _approve(release_compute(actor=supervisor), supervisor)
    _reports("LA", 3)
    second = release_compute(actor=supervisor)
    [held] = [h for h in second.differencing["held"] if h["unit"] == "reports"]
    assert held["kept_from"] == first.pk and second.differencing["compared_with"] == [first.pk]
    assert any("Lagos would change by +3" in reason for reason in held["reasons"])
    assert second.tables["reports_by_state"] == first.tables["reports_by_state"]
    _approve(second, supervisor)  # nothing new to subtract: it may be published
    _reports("LA", 11)
    third = release_compute(actor=supervisor)
    assert third.differencing["held"] == []
    [row] = third.tables["reports_by_state"]["rows"]
    assert row["cells"] == {"Lagos": 44} and row["total"] == 44


def test_a_draft_that_would_leak_against_a_release_published_since_is_refused(
    geo: Any, supervisor: User
) -> None:
    _reports("LA", 30)
    older = release_compute(actor=supervisor)
    _reports("LA", 4)
    _approve(release_compute(actor=supervisor), supervisor)
    with pytest.raises(ValidationError, match=r"Lagos would change by -4"):
        _approve(older, supervisor)
    older.refresh_from_db()
    assert older.status == "draft"


def test_the_command_says_which_years_the_check_kept_and_why(geo: Any, supervisor: User) -> None:
    _reports("LA", 30)
    _approve(release_compute(actor=supervisor), supervisor)
    _reports("LA", 2)
    out = io.StringIO()
    call_command("stats", "publish", "--as", supervisor.username, stdout=out)
    text = out.getvalue()
    assert "reports, " in text and "kept at release" in text
    assert "Lagos would change by +2" in text
