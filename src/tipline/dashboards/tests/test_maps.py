from __future__ import annotations

import json
from pathlib import Path

from tipline.dashboards.maps import NONE_FILL, PALETTE, choropleth, color_scale, state_shapes

GEO = Path(__file__).resolve().parents[2] / "geo" / "data" / "nigeria.json"


def test_bundled_shapes_cover_exactly_our_37_state_codes() -> None:
    codes = {s["code"] for s in json.loads(GEO.read_text(encoding="utf-8"))["states"]}
    shapes = state_shapes()
    assert set(shapes.paths) == codes and len(codes) == 37
    assert shapes.view_box == "0 0 744 600" and "CC BY 4.0" in shapes.attribution
    assert all(path.startswith("m ") for path in shapes.paths.values())


def test_scale_has_five_equal_classes_up_to_the_highest_count() -> None:
    scale = color_scale(50)
    assert [(b.low, b.high) for b in scale] == [(1, 10), (11, 20), (21, 30), (31, 40), (41, 50)]
    assert [b.fill for b in scale] == list(PALETTE) and scale[0].label == "1–10"


def test_few_reports_give_fewer_classes_and_the_most_is_darkest() -> None:
    assert [(b.low, b.high, b.fill) for b in color_scale(1)] == [(1, 1, PALETTE[-1])]
    two = color_scale(2)
    assert [(b.low, b.high) for b in two] == [(1, 1), (2, 2)] and two[-1].fill == PALETTE[-1]
    assert color_scale(0) == []


def test_map_fills_by_count_and_skips_rows_without_a_shape() -> None:
    drawn = choropleth(
        [("LA", "Lagos", 10), ("KN", "Kano", 0), ("", "Not located", 99)],
        link=lambda code: f"/queue/?state={code}",
    )
    by_code = {s.code: s for s in drawn.states}
    assert set(by_code) == {"LA", "KN"}
    assert by_code["LA"].fill == PALETTE[-1] and by_code["KN"].fill == NONE_FILL
    assert by_code["LA"].url == "/queue/?state=LA"
