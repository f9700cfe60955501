"""Database helpers the ORM lacks, for the few places where statement overhead decides speed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from ipaddress import IPv4Address, IPv6Address
from typing import Any

from django.db import connections, router
from django.db.models import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateTimeField,
    Field,
    IntegerField,
    JSONField,
    Model,
    PositiveBigIntegerField,
    PositiveIntegerField,
    PositiveSmallIntegerField,
    SmallIntegerField,
    TextField,
)

# Fields (these classes exactly: a subclass may convert, as the encrypted ones do) whose value of
# this Python type goes to the database as it is: `get_db_prep_save` would hand it back unchanged,
# after a chain of calls that cost a bulk insert more than the insert itself.
_AS_IS: dict[type[Field[Any, Any]], type] = {
    CharField: str,
    TextField: str,
    IntegerField: int,
    BigIntegerField: int,
    SmallIntegerField: int,
    PositiveIntegerField: int,
    PositiveBigIntegerField: int,
    PositiveSmallIntegerField: int,
    BooleanField: bool,
}


def bulk_save_fields(objs: Sequence[Model], fields: Sequence[str]) -> None:
    """Store `fields` of many objects of one model: what `QuerySet.bulk_update` does, as one
    UPDATE from an unnest of the values on PostgreSQL (`unnest_rows`), one `executemany` of a
    plain UPDATE elsewhere. `bulk_update` builds a CASE expression per object and field, whose
    compilation costs more than the statements it saves. Like it, this calls no `save()` and
    sets no `auto_now` field: the caller sets those values."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    concrete = [_concrete(model, name) for name in fields]
    connection = connections[router.db_for_write(model)]
    values = [[obj.pk, *(getattr(obj, field.attname) for field in concrete)] for obj in objs]
    key = meta.pk
    if key is None or not isinstance(key, Field):  # pragma: no cover  # every model has one
        raise ValueError(f"{model.__name__} has no primary key.")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and all(_unnestable(connection, f) for f in concrete):
            # An UPDATE ... FROM takes one of several rows for the same key: the last, as the
            # statements one by one would leave it.
            last = list({row[0]: row for row in values}.values())
            cursor.execute(*_update_from_unnest(connection, model, [key, *concrete], last))
            return
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(field.column)} = %s" for field in concrete)
        sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(key.column)} = %s"  # noqa: S608  # names from the model, values bound
        prepared = prepare_rows(connection, [key, *concrete], values)
        cursor.executemany(sql, [[*row[1:], row[0]] for row in prepared])


def _unnestable(connection: Any, field: Field[Any, Any]) -> bool:
    """A field whose values make a one-dimensional array of its type (a standard type, and a
    placeholder that does not depend on the value): Django's own test for its unnest insert."""
    target = field.target_field if field.is_relation else field  # type: ignore[attr-defined]
    standard = target.get_internal_type() in connection.data_types
    return standard and not hasattr(field, "get_placeholder")


def _update_from_unnest(
    connection: Any, model: type[Model], fields: list[Field[Any, Any]], rows: list[list[Any]]
) -> tuple[str, list[list[Any]]]:
    """One UPDATE of every row, keyed by the first field, from the rows as arrays: a batch's
    fifty UPDATEs were fifty statements for the server to parse, plan and run."""
    quote = connection.ops.quote_name
    select, params = unnest_rows(connection, fields, rows)
    columns = [quote(field.column) for field in fields]
    assignments = ", ".join(f"{column} = given.{column}" for column in columns[1:])
    table = quote(model._meta.db_table)
    sql = (
        f"UPDATE {table} SET {assignments} FROM ({select}) AS given ({', '.join(columns)})"  # noqa: S608  # names from the model, values bound
        f" WHERE {table}.{columns[0]} = given.{columns[0]}"
    )
    return sql, params


def insert_rows(model: type[Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert plain rows (values in the order of `fields`) into `model`'s table: no model
    instance, no `save()`, no signal, no returned key. For the pipeline's bulk writes (step
    records, blind index terms), where building and adapting a model per row cost more than
    the rest of the write: COPY on PostgreSQL, one `executemany` elsewhere."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    concrete = [_concrete(model, name) for name in fields]
    quote = connection.ops.quote_name
    table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in concrete)
    prepared = prepare_rows(connection, concrete, rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # noqa: S608  # names from the model
                for row in prepared:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(concrete))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", prepared)  # noqa: S608  # names from the model, values bound


def prepare_rows(
    connection: Any, fields: Sequence[Field[Any, Any]], rows: Sequence[Sequence[Any]]
) -> list[list[Any]]:
    """The rows' values (in the order of `fields`) as the database takes them: what each field's
    `get_db_prep_save` gives, without its calls for a plain value (see `_AS_IS`)."""
    as_is = [_as_is(connection, f) for f in fields]
    return [
        [
            value
            if kind is not None
            and (value is None or type(value) is kind and (kind is not datetime or _aware(value)))
            else f.get_db_prep_save(value, connection)
            for f, kind, value in zip(fields, as_is, row, strict=True)
        ]
        for row in rows
    ]


def unnest_rows(
    connection: Any, fields: Sequence[Field[Any, Any]], rows: Sequence[Sequence[Any]]
) -> tuple[str, list[list[Any]]]:
    """The rows as `SELECT * FROM unnest(...)` on PostgreSQL (`rows_table`), their values
    prepared by the fields (`prepare_rows`), the array types the fields' own."""
    types = [str(field.db_type(connection)).split("(")[0] for field in fields]  # varchar, not (n)
    return rows_table(connection, prepare_rows(connection, fields, rows), types)


def rows_table(
    connection: Any, rows: Sequence[Sequence[Any]], types: Sequence[str]
) -> tuple[str, list[Any]]:
    """Rows as a table for a FROM or WITH clause, and its parameters. On PostgreSQL
    `SELECT * FROM unnest(...)` of one array per column (of the given types), as Django's own
    bulk insert does: psycopg parses and caches a statement's placeholders only up to 50, and
    past that splits the text again on every call, which for a batch's few thousand values cost
    more than running the statement. Elsewhere a VALUES list."""
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{kind}[]" for kind in types)
        columns = [[row[position] for row in rows] for position in range(len(types))]
        return f"SELECT * FROM unnest({arrays})", columns  # noqa: S608  # types, not values
    row = "(" + ", ".join(["%s"] * len(types)) + ")"
    return "VALUES " + ", ".join([row] * len(rows)), [value for r in rows for value in r]


def json_recordset(
    connection: Any, fields: Sequence[Field[Any, Any]], rows: Sequence[Sequence[Any]]
) -> tuple[str, list[str]]:
    """The rows as `SELECT ... FROM jsonb_to_recordset(...)` on PostgreSQL: all of them one JSON
    text, a single parameter. Cheaper again than `unnest_rows` for a wide batch: psycopg quotes
    an array's every element in Python, and one text in C. JSON fields go as JSON, times as ISO
    text, the rest as their field prepares them; a value JSON cannot carry raises TypeError."""
    names = [field.column for field in fields]
    prepared = prepare_rows(connection, fields, rows)
    plain = [
        {
            name: _json_value(f, raw, ready)
            for name, f, raw, ready in zip(names, fields, row, out, strict=True)
        }
        for row, out in zip(rows, prepared, strict=True)
    ]
    quote = connection.ops.quote_name
    record = ", ".join(
        f"{quote(name)} {str(field.db_type(connection)).split('(')[0]}"
        for name, field in zip(names, fields, strict=True)
    )
    select = ", ".join(quote(name) for name in names)
    sql = f"SELECT {select} FROM jsonb_to_recordset(%s::jsonb) AS given ({record})"  # noqa: S608  # names and types from the fields
    return sql, [json.dumps(plain, separators=(",", ":"), allow_nan=False)]


def _json_value(field: Field[Any, Any], raw: Any, ready: Any) -> Any:
    if raw is None:
        return None
    if isinstance(field, JSONField):
        return raw  # as the field stores it: the caller's JSON-safe value
    if isinstance(field, DateTimeField) and isinstance(raw, datetime) and raw.tzinfo:
        return raw.isoformat()
    if ready is None or isinstance(ready, str | int | float | bool):
        return ready
    if isinstance(ready, IPv4Address | IPv6Address):  # PostgreSQL's inet, as psycopg takes it
        return str(ready)
    raise TypeError(f"{field.name}: {type(ready).__name__} has no JSON form here.")


def _aware(value: Any) -> bool:
    """A naive datetime is converted (and warned about) by the field, as Django does."""
    return value.tzinfo is not None


def _as_is(connection: Any, field: Field[Any, Any]) -> type | None:
    """The Python type a value of `field` goes to this database as it is, if there is one: a
    plain field's (`_AS_IS`), a key's to an integer key, and on PostgreSQL an aware datetime's
    (psycopg sends it as it is; SQLite's is text, so there it is converted)."""
    if field.is_relation and field.many_to_one:
        target = field.target_field  # type: ignore[attr-defined]  # a ForeignKey's
        return int if isinstance(target, IntegerField) else None  # BigAutoField is one
    if connection.vendor == "postgresql" and type(field) is DateTimeField:
        return datetime
    return _AS_IS.get(type(field))


def _concrete(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.concrete:
        raise ValueError(f"{model.__name__}.{name} is not a column.")
    return field
