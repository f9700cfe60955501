"""Raw SQL in migrations where PostgreSQL and SQLite need different statements."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

# Statements by connection vendor ("postgresql", "sqlite"); a vendor not named runs none.
Statements = dict[str, list[str]]


def run_sql_per_vendor(*, forward: Statements, reverse: Statements) -> migrations.RunPython:
    """A migration operation running the statements for the database it migrates."""
    return migrations.RunPython(_runner(forward), _runner(reverse))


def _runner(statements: Statements) -> Callable[[Any, BaseDatabaseSchemaEditor], None]:
    def run(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run
