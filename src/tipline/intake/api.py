"""JSON API v1 for platforms and partners: submit one or many reports, read their status."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from pydantic import ValidationError

from tipline.accounts.auth import api_client_from_request
from tipline.accounts.choices import Scope
from tipline.accounts.models import ApiClient
from tipline.common.http import client_ip
from tipline.common.ratelimit import rate_limit_hit
from tipline.intake import services
from tipline.intake.openapi import openapi_document
from tipline.reports.choices import Channel
from tipline.reports.drafts import ReportDraft, ReportInput
from tipline.reports.models import Report
from tipline.reports.selectors import report_for_api_client

# A submission's work: (client, parsed JSON, raw body, caller's IP) -> the answer to send.
Submit = Callable[[Any, Any, bytes, str | None], services.ApiOutcome]

JSON_TYPES = ("application/json",)


def _error(status: int, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def _field_errors(exc: ValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for item in exc.errors():
        path = ".".join(str(part) for part in item["loc"]) or "body"
        errors.setdefault(path, []).append(item["msg"])
    return errors


def _guard(request: HttpRequest, scope: str) -> tuple[Any, HttpResponse | None]:
    """Authenticate, authorise and rate-limit. Returns the client or the error response."""
    client = api_client_from_request(request)
    if client is None:
        response = _error(401, "Missing or invalid API key.")
        response["WWW-Authenticate"] = 'Bearer realm="tipline"'
        return None, response
    if not client.has_scope(scope):
        return None, _error(403, f"This API key lacks the {scope!r} scope.")
    verdict = rate_limit_hit(
        key=f"api:{client.pk}", limit=settings.RATE_LIMIT_API_PER_MINUTE, window_seconds=60
    )
    if not verdict.allowed:
        response = _error(429, "Too many requests.", retry_after=verdict.retry_after)
        response["Retry-After"] = str(verdict.retry_after)
        return None, response
    return client, None


def _read_json(request: HttpRequest) -> tuple[Any, bytes, HttpResponse | None]:
    content_type = request.content_type or ""
    if content_type not in JSON_TYPES:
        return None, b"", _error(415, "Send the body as application/json.")
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    if declared > settings.API_MAX_BODY_BYTES:
        return None, b"", _error(413, f"The body exceeds {settings.API_MAX_BODY_BYTES} bytes.")
    body = request.read(settings.API_MAX_BODY_BYTES + 1)
    if len(body) > settings.API_MAX_BODY_BYTES:
        return None, b"", _error(413, f"The body exceeds {settings.API_MAX_BODY_BYTES} bytes.")
    try:
        return json.loads(body.decode("utf-8")), body, None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, b"", _error(400, "The body is not valid UTF-8 JSON.", detail=str(exc))


def _submit_one(client: ApiClient, payload: Any, raw: bytes, ip: str | None) -> services.ApiOutcome:
    try:
        parsed = ReportInput.model_validate(payload)
    except ValidationError as exc:
        return services.ApiOutcome(400, {"error": "Invalid report.", "fields": _field_errors(exc)})
    draft = ReportDraft(
        **parsed.model_dump(),
        channel=Channel.API,
        raw_record=raw.decode("utf-8"),
        raw_content_type="application/json",
    )
    try:
        result = services.api_report_submit(client=client, draft=draft, ip=ip)
    except DjangoValidationError as exc:
        return services.ApiOutcome(
            400,
            {
                "error": "Invalid report.",
                "fields": exc.message_dict
                if hasattr(exc, "error_dict")
                else {"body": exc.messages},
            },
        )
    return services.ApiOutcome(
        201, {**_report_status(result.report), "receipt_code": result.receipt_code}
    )


def _report_status(report: Report) -> dict[str, Any]:
    return {
        "reference": report.reference,
        "status": report.status,
        "priority": report.priority or None,
        "external_id": report.external_id or None,
        "routed_command": report.routed_command.code if report.routed_command else None,
        "received_at": report.received_at.isoformat(),
        "updated_at": report.updated_at.isoformat(),
    }


def _idempotent(
    request: HttpRequest, client: ApiClient, body: bytes, work: Callable[[], services.ApiOutcome]
) -> HttpResponse:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 1 <= len(key) <= 200:
        return _error(400, "Idempotency-Key must be 1 to 200 characters.")
    digest = hashlib.sha256(body).hexdigest()
    try:
        if key and (
            replay := services.idempotent_replay(client=client, key=key, body_sha256=digest)
        ):
            return _respond(replay, replayed=True)
        outcome = services.api_submit_idempotent(
            client=client, key=key, body_sha256=digest, work=work
        )
    except services.KeyReusedError:
        return _error(409, "This Idempotency-Key was used with a different body.")
    return _respond(outcome, replayed=False)


def _respond(outcome: services.ApiOutcome, *, replayed: bool) -> JsonResponse:
    response = JsonResponse(outcome.body, status=outcome.status)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _submission(request: HttpRequest, submit: Submit) -> HttpResponse:
    """What both submitting endpoints do first: check the client's key and scope, read the JSON
    body, then run `submit` under the request's Idempotency-Key."""
    client, denied = _guard(request, Scope.REPORTS_SUBMIT)
    if denied:
        return denied
    payload, body, bad = _read_json(request)
    if bad:
        return bad
    ip = client_ip(request)
    return _idempotent(request, client, body, lambda: submit(client, payload, body, ip))


@csrf_exempt
@require_http_methods(["POST"])
def reports_create(request: HttpRequest) -> HttpResponse:
    """POST /api/v1/reports: one report."""
    return _submission(request, _submit_one)


def _batch(client: ApiClient, payload: Any, ip: str | None) -> services.ApiOutcome:
    items = payload.get("reports") if isinstance(payload, dict) else None
    if not isinstance(items, list) or not items:
        return services.ApiOutcome(400, {"error": 'Send {"reports": [ ... ]}.'})
    if len(items) > settings.API_BATCH_MAX:
        return services.ApiOutcome(400, {"error": f"At most {settings.API_BATCH_MAX} reports."})
    results = []
    for index, item in enumerate(items):
        raw = json.dumps(item, ensure_ascii=False).encode("utf-8")
        outcome = _submit_one(client, item, raw, ip)
        results.append({"index": index, "http_status": outcome.status, **outcome.body})
    accepted = sum(1 for r in results if r["http_status"] == 201)
    return services.ApiOutcome(
        200, {"accepted": accepted, "rejected": len(results) - accepted, "results": results}
    )


@csrf_exempt
@require_http_methods(["POST"])
def reports_batch(request: HttpRequest) -> HttpResponse:
    """POST /api/v1/reports/batch: up to 1,000 reports, answered item by item."""
    return _submission(request, lambda client, payload, _body, ip: _batch(client, payload, ip))


@csrf_exempt  # a token API has no cookie session to protect: a POST here is simply a 405
@require_http_methods(["GET"])
def report_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """GET /api/v1/reports/{reference}: status of one of the caller's own reports."""
    client, denied = _guard(request, Scope.REPORTS_SUBMIT)
    if denied:
        return denied
    try:
        report = report_for_api_client(client=client, reference=reference)
    except Http404:
        return _error(404, "No such report.")
    return JsonResponse(_report_status(report))


def openapi_json(request: HttpRequest) -> HttpResponse:
    """The OpenAPI 3 document."""
    return JsonResponse(openapi_document())


def docs(request: HttpRequest) -> HttpResponse:
    """A readable page for the API."""
    return render(request, "intake/api_docs.html", {"doc": openapi_document()})
