"""Yearly counters behind the references people read and say (`TL-2026-000123`, `NAP-`, `MC-`,
`TN-`): one abstract model and one way to take the next number, for every app that numbers."""

from __future__ import annotations

from django.db import connection, models


class YearlyCounter(models.Model):
    """The last number given in a year. Each numbering app has its own table of these."""

    year = models.PositiveIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


def next_in_year(counter: type[YearlyCounter], year: int) -> int:
    """The next number of `year`, in the caller's transaction. The counter's row stays locked
    until that commits, so numbers have no gaps and no repeats, and every writer waits on it:
    one statement that locks, counts and reads, except for the year's first number."""
    table = connection.ops.quote_name(counter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_number = last_number + 1 WHERE year = %s"  # noqa: S608  # the table name is our own
            " RETURNING last_number",
            [year],
        )
        row = cursor.fetchone()
    if row is not None:
        return int(row[0])
    first, _ = counter._default_manager.select_for_update().get_or_create(year=year)
    first.last_number += 1
    first.save(update_fields=["last_number"])
    return int(first.last_number)
