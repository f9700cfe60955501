"""Guards of the public pages (report form, missing-child forms, offer check): the hourly limit
per address and the refusal of a body too large to read, answered with the public pages' own
429 and 413."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tipline.common.http import client_ip
from tipline.common.ratelimit import rate_limit_hit


def public_limited(request: HttpRequest, *, bucket: str) -> HttpResponse | None:
    """The public pages' hourly limit per address in `bucket`; the 429 page once it is spent."""
    verdict = rate_limit_hit(
        key=f"{bucket}:{client_ip(request)}",
        limit=settings.RATE_LIMIT_PUBLIC_PER_HOUR,
        window_seconds=3600,
    )
    if verdict.allowed:
        return None
    response = render(request, "intake/limited.html", status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def public_oversized(request: HttpRequest, *, files_bytes: int) -> HttpResponse | None:
    """A 413, before the body is read, when it declares more than `files_bytes` of files and
    the form's fields may carry."""
    ceiling = files_bytes + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = ceiling + 1
    if declared <= ceiling:
        return None
    limit_mb = files_bytes // (1024 * 1024)
    return render(request, "intake/too_large.html", {"limit_mb": limit_mb}, status=413)
