"""Writing audit events. Call inside the transaction of the change being audited."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from tipline.audit.chain import event_hash
from tipline.audit.models import AuditChainHead, AuditEvent
from tipline.common.db import json_recordset
from tipline.common.time import utcnow

# Events held by `audit_deferred` blocks, innermost last; empty when events are written at once.
_held: ContextVar[tuple[list[AuditEvent], ...]] = ContextVar("audit_held", default=())


class AuditActor(Protocol):
    """What the audit log reads of whoever acted: a staff user. Typed by shape because accounts,
    which defines users, sits above audit in the layers."""

    @property
    def pk(self) -> Any: ...

    @property
    def username(self) -> str: ...


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str)) if value is not None else None


def audit_record(
    *,
    actor: AuditActor | None,
    action: str,
    object_type: str,
    object_id: str | int,
    before: Any = None,
    after: Any = None,
    ip: str | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one event to the chain. Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the audited change's transaction.")
    actor_id = getattr(actor, "pk", None)
    event = AuditEvent(
        at=utcnow(),
        actor_id=actor_id,
        actor_label=actor_label or (getattr(actor, "username", None) or "system"),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=_json_safe(before),
        after=_json_safe(after),
        ip=ip,
    )
    held = _held.get()
    if held:
        held[-1].append(event)  # sequenced and chained when the outermost block ends
        return event
    _append_to_chain([event])
    return event


def _append_to_chain(events: list[AuditEvent]) -> None:
    """Give the events their sequence numbers and hashes under the chain head's lock, and store
    them. The lock is held from here to the commit, so callers keep this near the end."""
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    for event in events:
        event.seq, event.prev_hash = head.last_seq + 1, head.last_hash
        event.hash = event_hash(event)
        head.last_seq, head.last_hash = event.seq, event.hash
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        _insert_advancing_head(connection, events, head)
        return
    AuditEvent.objects.bulk_create(events)
    head.save(update_fields=["last_seq", "last_hash"])


# The columns of an event, in the order `_insert_advancing_head` writes them.
_COLUMNS = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]


def _insert_advancing_head(
    connection: BaseDatabaseWrapper, events: list[AuditEvent], head: AuditChainHead
) -> None:
    """Insert the events and move the head in one statement (a data-modifying WITH): the head
    stays locked until the commit, so every round trip saved here is one every writer waits less.
    The INSERT is written here, its rows one JSON text (`common.db.json_recordset`): the ORM's
    compilation of a batch's events, psycopg's parsing of one placeholder per value, and its
    quoting of arrays element by element, each cost more than the statement."""
    name = connection.ops.quote_name
    rows = [[getattr(event, f.attname) for f in _COLUMNS] for event in events]
    select, given = json_recordset(connection, _COLUMNS, rows)
    sql = (
        f"WITH advanced AS (UPDATE {name(AuditChainHead._meta.db_table)}"  # noqa: S608  # our own names
        f" SET {name('last_seq')} = %s, {name('last_hash')} = %s WHERE {name('id')} = %s)"
        f" INSERT INTO {name(AuditEvent._meta.db_table)}"
        f" ({', '.join(name(f.column) for f in _COLUMNS)}) {select}"
        f" RETURNING {name('seq')}, {name('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [head.last_seq, head.last_hash, head.pk, *given])
        keys = dict(cursor.fetchall())  # by sequence number: the order of RETURNING is not given
    for event in events:
        event.pk = keys[event.seq]
        event._state.adding = False


@contextmanager
def audit_deferred() -> Iterator[None]:
    """Hold the audit events recorded inside, and append them to the chain together at the end.

    Every audited write locks the chain head until its transaction commits, so a long transaction
    that audits early (a pipeline run) would make every other writer wait for all of it. Inside
    this block the head is locked only for the final write. Use it inside the transaction of the
    changes: an exception discards the held events along with the rolled-back changes, and a
    nested block hands its events to the enclosing one. Events are not tied to savepoints: code
    that catches an exception from a savepoint (an inner `atomic()`) must open its own
    `audit_deferred()` inside it, so the events of that rolled-back work are dropped too.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_deferred must run inside the audited changes' transaction.")
    events: list[AuditEvent] = []
    outer = _held.get()
    token = _held.set((*outer, events))
    try:
        yield
    finally:
        _held.reset(token)
    if outer:
        outer[-1].extend(events)
    elif events:
        _append_to_chain(events)
