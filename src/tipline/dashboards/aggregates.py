"""A percentile aggregate that runs in the database on PostgreSQL and on SQLite.

PostgreSQL has `percentile_cont` built in. SQLite has no percentile function, so the same
aggregate is registered on every new SQLite connection as a small Python class; the rows still
never leave the database as a Python list, and the result is the same interpolated value.
"""

from __future__ import annotations

import math
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Aggregate
from django.db.models.sql.compiler import SQLCompiler

SQLITE_FUNCTION = "TIPLINE_PERCENTILE"


class Percentile(Aggregate):
    """The continuous percentile of an expression: `Percentile("x", 0.5)` is the median.

    Rows where the expression is NULL are ignored, as with every SQL aggregate.
    """

    name = "Percentile"
    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError(f"A percentile is between 0 and 1, not {fraction!r}.")
        # Formatted into the SQL, not bound: PostgreSQL wants a constant here. It is a float we
        # checked ourselves, never user input.
        super().__init__(expression, fraction=repr(float(fraction)), **extra)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, Any]:
        # A copy with its own template, not a template= argument: Aggregate.as_sql passes one
        # of its own when there is a FILTER clause.
        on_sqlite = self.copy()
        on_sqlite.template = f"{SQLITE_FUNCTION}(%(expressions)s, %(fraction)s)"
        return super(Percentile, on_sqlite).as_sql(compiler, connection, **extra_context)


def percentile_cont(values: list[float], fraction: float) -> float | None:
    """What PostgreSQL's `percentile_cont` answers: linear interpolation between ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower, upper = math.floor(position), math.ceil(position)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


class _SqlitePercentile:
    """SQLite aggregate protocol: step() per row, finalize() once per group."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, value: float | None, fraction: float) -> None:
        self.fraction = fraction
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        return percentile_cont(self.values, self.fraction)


def register_sqlite_percentile(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """`connection_created` receiver: give each new SQLite connection the percentile aggregate."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate(SQLITE_FUNCTION, 2, _SqlitePercentile)
