"""What each channel answers while the database cannot be reached (see common/outage.py).

None of these may touch the database: the responses are built from the request and static data.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils import translation

from tipline.common.outage import RETRY_AFTER_SECONDS, unavailable_part
from tipline.geo.services import DEFAULTS as GEO_DEFAULTS
from tipline.intake.forms import PublicReportForm
from tipline.intake.ispws.responses import CONTENT_TYPE, ResponseCode, report_response

PROBLEM_TYPE = "tag:tipline.invalid,2026:database-unavailable"
STORE_PROBLEM_TYPE = "tag:tipline.invalid,2026:media-store-unavailable"
DETAIL = (
    "The {part} cannot be reached. Nothing was stored: send the same request again in "
    f"{RETRY_AFTER_SECONDS} seconds, with the same Idempotency-Key."
)


def api_unavailable(request: HttpRequest) -> HttpResponse:
    """An RFC 9457 problem document; `error` keeps the shape of the API's other errors."""
    part = unavailable_part(request)
    body = {
        "type": PROBLEM_TYPE if part == "database" else STORE_PROBLEM_TYPE,
        "title": "Service temporarily unavailable",
        "status": 503,
        "detail": DETAIL.format(part=part),
        "retry_after": RETRY_AFTER_SECONDS,
        "error": f"The {part} cannot be reached; try again.",
    }
    return JsonResponse(body, status=503, content_type="application/problem+json")


def ispws_unavailable(request: HttpRequest) -> HttpResponse:
    """A CyberTipline `reportResponse` with code 1000 (server error), as its clients parse."""
    part = unavailable_part(request)
    description = f"Server error: the {part} cannot be reached; retry in {RETRY_AFTER_SECONDS}s"
    body = report_response(ResponseCode.SERVER_ERROR, description)
    return HttpResponse(body, status=503, content_type=CONTENT_TYPE)


def _typed(request: HttpRequest) -> Any:
    """What the reporter sent, or None when there is nothing to give back."""
    if request.method != "POST":
        return None
    # If the view never read the body, reading it now skips its files: the default upload
    # handler (media.uploads.RefusingUploadHandler) stores none.
    try:
        return request.POST
    except (MultiPartParserError, RequestDataTooBig, TooManyFieldsSent):
        return None


def _default_states() -> list[tuple[str, str]]:
    """The states from the shipped defaults: the stored list cannot be read just now."""
    states = json.loads(GEO_DEFAULTS.read_text(encoding="utf-8"))["states"]
    return sorted(((s["code"], s["name"]) for s in states), key=lambda pair: pair[1])


def _report_form(request: HttpRequest) -> PublicReportForm | None:
    language_free = translation.get_language_from_path(request.path_info) is None
    data = _typed(request)
    if language_free or data is None or request.resolver_match is None:
        return None
    if request.resolver_match.view_name != "intake:report":
        return None
    # A fresh one-time token: the outage may have kept the old one reserved with no report
    # behind it (its release needs the database), and a retry with it would be taken for a
    # resend of a report that was never stored. At worst, a report stored in the instant
    # before the outage is filed twice, which an analyst can close as a duplicate.
    data = data.copy()
    data["submission"] = secrets.token_urlsafe(24)
    return PublicReportForm(data, states=_default_states())


def public_unavailable(request: HttpRequest) -> HttpResponse:
    """The public page in the reporter's language: try again, with the report form filled in
    with what they typed when it was the form they sent (files must be chosen again)."""
    language = translation.get_language_from_path(request.path_info) or translation.get_language()
    with translation.override(language):
        form = _report_form(request)
        context = {"form": form, "parent": "intake/form.html" if form else "intake/base.html"}
        return render(request, "intake/unavailable.html", context, status=503)
