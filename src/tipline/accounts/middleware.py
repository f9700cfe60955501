"""Staff sessions: idle expiry, and no session without its second factor where one is required."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from tipline.common.time import utcnow

LAST_SEEN = "tipline_last_seen"
# Set only by the login views once a TOTP code was checked in this session.
MFA_PASSED = "tipline_mfa_passed"


class StaffSessionMiddleware:
    """Logs a staff user out after `SESSION_IDLE_SECONDS` without a request, and logs out any
    session that has not passed the second factor while `MFA_REQUIRED` is on.

    The second check sits here, not in the views, so that a session created anywhere (the admin's
    own login, a future view, a library) counts for nothing until it has passed MFA.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = utcnow().timestamp()
            last_seen = request.session.get(LAST_SEEN, now)
            idle = now - float(last_seen) > settings.SESSION_IDLE_SECONDS
            if idle or (settings.MFA_REQUIRED and not request.session.get(MFA_PASSED)):
                logout(request)
            else:
                request.session[LAST_SEEN] = now
        return self.get_response(request)
