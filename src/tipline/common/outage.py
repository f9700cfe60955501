"""A database that cannot be reached answers 503 with Retry-After, never a 500.

During an outage every request fails on its first query. A 500 tells a platform "our bug, do not
retry", so its client gives up on a report it should have resent; a 503 with Retry-After tells it
to come back. Each area answers in its own dialect (problem JSON for the API, the /ispws XML,
the reporter's language on the public pages): the responders are named by dotted path in
`settings.TIPLINE_OUTAGE_RESPONDERS` ({path prefix: "module.function"}, the longest prefix wins),
because this bottom layer may not import the channels or the console.

The first query can fail in the view or in a middleware (the session and the user are loaded by
middleware on every staff request), so the middleware answers both: the view's exception through
`process_exception`, a middleware's through Django's `got_request_exception` signal, which notes
it on the request before Django turns it into a 500 that this middleware then replaces. It must
therefore sit outside every middleware that touches the database.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import add_never_cache_headers
from django.utils.module_loading import import_string

from tipline.common.headers import CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY

logger = logging.getLogger(__name__)

# Long enough for a PostgreSQL restart or fail-over, short enough that a reporter waits it out.
RETRY_AFTER_SECONDS = 30
# PostgreSQL SQLSTATEs that mean the server cannot be used: class 08 (connection exception),
# shutting down, crashed, still starting, too many connections.
_UNREACHABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")
# SQLite's primary result codes for a database it cannot open, write or lock just now. Its other
# operational errors ("no such table") are bugs and stay 500s.
_SQLITE_UNAVAILABLE = frozenset({5, 6, 10, 13, 14})  # BUSY, LOCKED, IOERR, FULL, CANTOPEN
_NOTED = "tipline_database_outage"
_PART = "tipline_unavailable_part"

Responder = Callable[[HttpRequest], HttpResponseBase]


class DependencyUnavailable(Exception):
    """Raised by a layer above for another store it needs (the media object store) that cannot be
    reached just now: answered like a database outage, 503 with Retry-After, never a 500. `part`
    is what the answer names as unreachable."""

    part = "store"


def unavailable_part(request: HttpRequest) -> str:
    """What the 503 for `request` names as unreachable: "database", or the store it needed."""
    return str(getattr(request, _PART, "database"))


def _part_of(exc: BaseException | None) -> str:
    return exc.part if isinstance(exc, DependencyUnavailable) else "database"


def database_unreachable(exc: BaseException | None) -> bool:
    """Whether `exc` means the database (or another store the request needs, see
    `DependencyUnavailable`) cannot be reached, rather than a bad query."""
    if isinstance(exc, InterfaceError | DependencyUnavailable):
        return True  # the connection is already closed
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__  # the driver's error, which Django's wrapper always chains
    if cause is None:
        return False
    if isinstance(cause, sqlite3.Error):
        code = getattr(cause, "sqlite_errorcode", None)
        return code is not None and code & 0xFF in _SQLITE_UNAVAILABLE
    sqlstate = getattr(cause, "sqlstate", None)
    # The driver's own connection failures (refused, server closed the connection) carry none.
    return sqlstate is None or str(sqlstate).startswith(_UNREACHABLE_SQLSTATES)


def plain_unavailable(request: HttpRequest) -> HttpResponse:
    """The answer where no area registered its own."""
    return HttpResponse(
        "The service is briefly unavailable. Please try again in a minute.\n",
        status=503,
        content_type="text/plain; charset=utf-8",
    )


@cache
def _responders() -> list[tuple[str, Responder]]:
    named: dict[str, str] = getattr(settings, "TIPLINE_OUTAGE_RESPONDERS", {})
    ordered = sorted(named.items(), key=lambda item: len(item[0]), reverse=True)
    return [(prefix, import_string(path)) for prefix, path in ordered]


def outage_response(request: HttpRequest) -> HttpResponseBase:
    """The 503 for `request`: its area's page, with Retry-After and the headers every page
    carries (this answer skips the middleware that would add them)."""
    responder = next(
        (found for prefix, found in _responders() if request.path.startswith(prefix)),
        plain_unavailable,
    )
    # Nothing in the answer (a context processor, the headers middleware) may load the user
    # from the database that just failed.
    request.user = AnonymousUser()
    try:
        response = responder(request)
    except Exception:
        logger.exception("The outage page for %s failed; answering plain text", request.path)
        response = plain_unavailable(request)
    response.status_code = 503
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    add_never_cache_headers(response)
    return response


def _note_outage(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    # Sent from inside Django's `except` block, so the exception is the one being handled.
    exc = sys.exc_info()[1]
    if request is not None and database_unreachable(exc):
        setattr(request, _NOTED, True)
        setattr(request, _PART, _part_of(exc))


class DatabaseOutageMiddleware:
    """Answers 503 with Retry-After, in the area's dialect, when the database cannot be reached."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        got_request_exception.connect(_note_outage, dispatch_uid="tipline-database-outage")

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, _NOTED, False):
            return outage_response(request)
        return response

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponseBase | None:
        """A view's query failed: answer 503 here rather than let it become a logged 500."""
        if not database_unreachable(exception):
            return None
        part = _part_of(exception)
        setattr(request, _PART, part)
        logger.warning(
            "%s unreachable for %s %s: %s",
            part.capitalize(),
            request.method,
            request.path,
            exception,
        )
        return outage_response(request)
