"""The console's answer while the database cannot be reached (see common/outage.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from tipline.common.outage import RETRY_AFTER_SECONDS, unavailable_part


def console_unavailable(request: HttpRequest) -> HttpResponse:
    """A plain page, rendered without the request: its context would load the user."""
    context = {"retry_after": RETRY_AFTER_SECONDS, "part": unavailable_part(request)}
    page = render_to_string("console/unavailable.html", context)
    return HttpResponse(page, status=503)
