"""Recording look-ups: noted while a request runs, written together before its response leaves.

A view calls `lookup_note` for each look-up it answers; `LookupMiddleware` then writes all of a
request's look-ups in one INSERT after the view has built its response and before the response
is sent. Nothing is held past the request, so a process that dies loses no recorded look-up:
either the row is stored or the answer was never sent. When the INSERT fails the request fails
too (a 500), for the same reason: no look-up is answered unrecorded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponseBase

from tipline.audit.models import LookupEvent, LookupKind
from tipline.audit.services import AuditActor
from tipline.common.http import client_ip
from tipline.common.time import utcnow

# The current request's noted look-ups; None outside `LookupMiddleware` (written at once then).
_pending: ContextVar[list[LookupEvent] | None] = ContextVar("lookups_pending", default=None)


def lookup_event(
    *,
    actor: AuditActor | None,
    kind: LookupKind,
    object_ref: str = "",
    identifier_hash: str = "",
    query: str = "",
    result_count: int | None = None,
    result_more: bool = False,
    ip: str | None = None,
    actor_label: str | None = None,
) -> LookupEvent:
    """An unsaved look-up; `lookups_record` stores it."""
    return LookupEvent(
        at=utcnow(),
        actor_id=getattr(actor, "pk", None),
        actor_label=actor_label or getattr(actor, "username", None) or "system",
        kind=kind,
        object_ref=object_ref[:80],
        identifier_hash=identifier_hash,
        query=query,
        result_count=result_count,
        result_more=result_more,
        ip=ip,
    )


def lookups_record(*, events: Iterable[LookupEvent]) -> None:
    """Append look-ups in one INSERT. They are their own audit rows, so no chained event."""
    LookupEvent.objects.bulk_create(list(events))


def lookup_note(request: HttpRequest, *, kind: LookupKind, **details: Any) -> None:
    """Note a look-up the request answers, written with the others before the response leaves.

    `details` are `lookup_event`'s: object_ref, identifier_hash, query, result_count,
    result_more. Outside `LookupMiddleware` (a view called directly) it is written at once.
    """
    event = lookup_event(actor=request.user, kind=kind, ip=client_ip(request), **details)
    pending = _pending.get()
    if pending is None:
        lookups_record(events=[event])
    else:
        pending.append(event)


class LookupMiddleware:
    """Writes each request's noted look-ups in one INSERT once the view has answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        pending: list[LookupEvent] = []
        token = _pending.set(pending)
        try:
            response = self.get_response(request)
        finally:
            _pending.reset(token)
        if pending:
            lookups_record(events=pending)
        return response
