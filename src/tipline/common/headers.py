"""Headers every response carries, set in one place so that no new page can forget them."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

# No inline script or style anywhere: an injected <script> or on*= attribute cannot run even if
# escaping were ever missed. JSON data blocks (json_script) are not executed, so they are allowed.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The platform needs none of these powerful features; a compromised page gets none either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "browsing-topics",
    )
)
# Responses under these prefixes carry personal data or staff screens, logged in or not.
PRIVATE_PREFIXES = ("/console/", "/accounts/", "/admin/", "/api/", "/ispws/")


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response, and `no-store` on every
    response to a logged-in user and under the staff and API prefixes, so that neither a shared
    computer's browser cache nor a proxy keeps a copy of a report."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if request.path.startswith(PRIVATE_PREFIXES) or (user and user.is_authenticated):
            add_never_cache_headers(response)
        return response
