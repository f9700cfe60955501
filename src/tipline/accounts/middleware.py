"""Idle expiry for staff sessions."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from tipline.common.time import utcnow

LAST_SEEN = "tipline_last_seen"


class StaffSessionMiddleware:
    """Logs a staff user out after `SESSION_IDLE_SECONDS` without a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = utcnow().timestamp()
            last_seen = request.session.get(LAST_SEEN, now)
            if now - float(last_seen) > settings.SESSION_IDLE_SECONDS:
                logout(request)
            else:
                request.session[LAST_SEEN] = now
        return self.get_response(request)
