from __future__ import annotations

from datetime import timedelta

from tipline.dashboards.forms import DashboardFilterForm
from tipline.dashboards.tests.conftest import today


def _filters(**data: str) -> tuple[str, str, str]:
    form = DashboardFilterForm(data)
    assert form.is_valid(), form.errors
    f = form.filters()
    return f.start.isoformat(), f.end.isoformat(), f.incident_type


def test_no_filters_mean_the_last_90_days_and_every_type() -> None:
    assert _filters() == ((today() - timedelta(days=89)).isoformat(), today().isoformat(), "")


def test_only_an_end_gives_the_90_days_before_it() -> None:
    assert _filters(to="2026-03-31") == ("2026-01-01", "2026-03-31", "")


def test_only_a_start_runs_to_today() -> None:
    assert _filters(**{"from": "2026-01-01", "type": "baby_selling"}) == (
        "2026-01-01",
        today().isoformat(),
        "baby_selling",
    )
