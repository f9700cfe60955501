"""`tipline missing match` (offline, on JSON lines) and `tipline missing fit`."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tipline.missing.matching import LIKELY
from tipline.people.models import FittedProfile

REGISTRY: list[dict[str, Any]] = [
    {"id": "R1", "given_names": "Temitope", "family_name": "Adebayo", "other_names": ["Tope"],
     "sex": "f", "date_of_birth": "2015-02-01", "age": "", "age_given_on": "",
     "seen_at": "2026-05-01T10:00:00+01:00", "state": "LA", "lga": "Ikeja", "place": "",
     "phones": ["08031110000"], "description": ""},
    {"id": "R2", "given_names": "Musa", "family_name": "Bello", "other_names": [], "sex": "m",
     "date_of_birth": "", "age": 9, "age_given_on": "2026-04-01",
     "seen_at": "2026-04-01T10:00:00+01:00", "state": "KN", "lga": "Fagge", "place": "",
     "phones": [], "description": ""},
]  # fmt: skip
SIGHTINGS: list[dict[str, Any]] = [
    {"id": "S1", "given_names": "Adebayo", "family_name": "Tope", "other_names": [], "sex": "f",
     "date_of_birth": "", "age": 12, "age_given_on": "", "seen_at": "2026-05-04T09:00:00+01:00",
     "state": "LA", "lga": "Alimosho", "place": "motor park", "phones": [], "description": ""},
    {"id": "S2", "given_names": "Ngozi", "family_name": "Eze", "other_names": [], "sex": "f",
     "date_of_birth": "", "age": "", "age_given_on": "", "seen_at": "", "state": "",
     "lga": "", "place": "", "phones": [], "description": ""},
]  # fmt: skip


def _write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_match_writes_ranked_candidates_with_reasons(tmp_path: Path, db: Any) -> None:
    out = tmp_path / "M.jsonl"
    call_command(
        "missing", "match", "--registry", str(_write(tmp_path / "R.jsonl", REGISTRY)),
        "--sightings", str(_write(tmp_path / "S.jsonl", SIGHTINGS)), "--out", str(out),
        stdout=io.StringIO(),
    )  # fmt: skip
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["sighting"] for line in lines] == ["S1", "S2"]
    best = lines[0]["candidates"][0]
    assert best["record"] == "R1" and best["probability"] > LIKELY
    assert any("order swapped" in reason for reason in best["reasons"])
    assert lines[1]["candidates"] == []


def test_threshold_and_bad_input(tmp_path: Path, db: Any) -> None:
    out = io.StringIO()
    call_command("missing", "match", "--threshold", stdout=out)
    assert float(out.getvalue()) == LIKELY
    broken = tmp_path / "R.jsonl"
    broken.write_text("{not json\n")
    with pytest.raises(CommandError, match="line 1"):
        call_command(
            "missing", "match", "--registry", str(broken), "--sightings", str(broken),
            "--out", str(tmp_path / "M.jsonl"),
        )  # fmt: skip
    with pytest.raises(CommandError, match="--registry"):
        call_command("missing", "match")


def test_fit_stores_a_fitted_profile(db: Any) -> None:
    out = io.StringIO()
    call_command("missing", "fit", stdout=out)
    assert "Fitted missing_record on 0 confirmed and 0 rejected" in out.getvalue()
    assert FittedProfile.objects.filter(owner_kind="missing_record").exists()
