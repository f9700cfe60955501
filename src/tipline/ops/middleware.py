"""The outermost middleware: answers the operators' endpoints, and counts every request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase

from tipline.common.metrics import count_request
from tipline.ops.views import healthz, metrics, readyz

ENDPOINTS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": healthz,
    "/readyz": readyz,
    "/metrics": metrics,
}


class OpsMiddleware:
    """First in MIDDLEWARE: the endpoints above skip host checks, HTTPS redirects and sessions;
    every other request is counted by its route name and status once it is answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        endpoint = ENDPOINTS.get(request.path_info)
        if endpoint is not None:
            return self._answer(endpoint, request)
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None else "unmatched"
        count_request(view=view, method=request.method or "", status=response.status_code)
        return response

    @staticmethod
    def _answer(
        endpoint: Callable[[HttpRequest], HttpResponse], request: HttpRequest
    ) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
        try:
            return endpoint(request)
        except Http404:
            return HttpResponse("Not found.\n", status=404, content_type="text/plain")
