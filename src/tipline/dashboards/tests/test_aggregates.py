from __future__ import annotations

from typing import Any

import pytest

from tipline.dashboards.aggregates import Percentile, percentile_cont
from tipline.geo.models import State


def test_percentile_interpolates_between_ranks_like_postgresql() -> None:
    assert percentile_cont([1.0, 2.0, 10.0], 0.5) == 2.0
    assert percentile_cont([10.0, 1.0, 2.0], 0.9) == pytest.approx(8.4)
    assert percentile_cont([5.0], 0.9) == 5.0
    assert percentile_cont([], 0.5) is None


def test_percentile_aggregate_runs_in_the_database_with_the_same_answer(geo: Any) -> None:
    ids = [float(pk) for pk in State.objects.values_list("pk", flat=True)]
    found = State.objects.aggregate(median=Percentile("pk", 0.5), p90=Percentile("pk", 0.9))
    assert found["median"] == pytest.approx(percentile_cont(ids, 0.5))
    assert found["p90"] == pytest.approx(percentile_cont(ids, 0.9))


def test_percentile_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        Percentile("pk", 1.5)
