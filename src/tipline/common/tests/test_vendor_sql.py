"""Per-database SQL in migrations: each database runs its own statements, others none."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from tipline.common.vendor_sql import run_sql_per_vendor


class _Editor:
    def __init__(self, vendor: str) -> None:
        self.connection = SimpleNamespace(vendor=vendor)
        self.ran: list[str] = []

    def execute(self, sql: str) -> None:
        self.ran.append(sql)


def _ran(vendor: str, *, backwards: bool = False) -> list[str]:
    operation = run_sql_per_vendor(
        forward={"postgresql": ["CREATE pg"], "sqlite": ["CREATE lite", "TRIGGER lite"]},
        reverse={"postgresql": ["DROP pg"]},
    )
    editor: Any = _Editor(vendor)
    code = operation.reverse_code if backwards else operation.code
    assert code is not None
    code(None, editor)  # type: ignore[arg-type]  # no app registry is needed to run raw SQL
    return list(editor.ran)


def test_each_database_runs_only_its_own_statements() -> None:
    assert _ran("postgresql") == ["CREATE pg"]
    assert _ran("sqlite") == ["CREATE lite", "TRIGGER lite"]
    assert _ran("mysql") == []


def test_reversing_runs_the_reverse_statements_of_that_database() -> None:
    assert _ran("postgresql", backwards=True) == ["DROP pg"]
    assert _ran("sqlite", backwards=True) == []
