"""/healthz, /readyz and /metrics, answered by `OpsMiddleware` ahead of the rest of the stack
(no session, no host check, no HTTPS redirect: a load balancer or Prometheus calls them over the
internal network by address)."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from prometheus_client import CONTENT_TYPE_LATEST

from tipline.ops.metrics import exposition
from tipline.ops.readiness import readiness


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    """The process is alive and answering; touches nothing else."""
    return _no_store(HttpResponse("ok\n", content_type="text/plain; charset=utf-8"))


def readyz(request: HttpRequest) -> HttpResponse:
    """200 when the database, the media store and the matcher index answer, else 503."""
    state = readiness()
    body = {
        "status": "ready" if state.ready else "not ready",
        "checks": state.checks,
        "index": {"published": state.published_index, "loaded": state.loaded_index},
    }
    return _no_store(JsonResponse(body, status=200 if state.ready else 503))


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net) for net in settings.METRICS_NETWORKS)


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics, for the token's bearer or an allowed network; 404 for anyone else."""
    if not _allowed(request):
        raise Http404
    return _no_store(HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST))
