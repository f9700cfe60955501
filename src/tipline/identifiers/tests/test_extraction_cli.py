"""`tipline extract` core: text on stdin, one JSON object per identifier on stdout."""

from __future__ import annotations

import io
import json

from tipline.identifiers.extraction.cli import main_extract


def test_prints_one_json_line_per_identifier() -> None:
    stdin = io.StringIO("Abeg call 0803 123 4567 or mail jane@example.com\n")
    stdout = io.StringIO()
    assert main_extract(stdin, stdout) == 0
    lines = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert [(r["kind"], r["value"], r["normalized"], r["valid"]) for r in lines] == [
        ("phone", "0803 123 4567", "+2348031234567", True),
        ("email", "jane@example.com", "jane@example.com", True),
    ]
    assert lines[0]["details"]["network"] == "MTN"


def test_prints_nothing_for_text_without_identifiers() -> None:
    stdout = io.StringIO()
    assert main_extract(io.StringIO("Nothing here, only words."), stdout) == 0
    assert stdout.getvalue() == ""
