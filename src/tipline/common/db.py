"""Database helpers the ORM lacks, for the few places where statement overhead decides speed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, router
from django.db.models import Field, Model


def bulk_save_fields(objs: Sequence[Model], fields: Sequence[str]) -> None:
    """Store `fields` of many objects of one model: what `QuerySet.bulk_update` does, as one
    `executemany` of a plain UPDATE. `bulk_update` builds a CASE expression per object and field,
    whose compilation costs more than the statements it saves. Like it, this calls no `save()`
    and sets no `auto_now` field: the caller sets those values."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    concrete = [_concrete(model, name) for name in fields]
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in concrete)
    key = quote(meta.pk.column) if meta.pk is not None else "id"
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {key} = %s"  # noqa: S608  # names from the model, values bound
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in concrete]
        + [obj.pk]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _concrete(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.concrete:
        raise ValueError(f"{model.__name__}.{name} is not a column.")
    return field
