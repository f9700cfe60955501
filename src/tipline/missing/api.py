"""JSON API v1 for partners: register a missing child, and read the status of one's own.

POST /api/v1/missing takes a `RecordInput` (the one input type of the registry); the record is
pending verification like any other. A partner's `external_id` makes a resend idempotent: the
same id again answers the record it made (200, `Idempotent-Replayed: true`), never a second.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from pydantic import ValidationError

from tipline.accounts.auth import api_client_from_request
from tipline.accounts.choices import Scope
from tipline.accounts.models import ApiClient
from tipline.common.http import client_ip
from tipline.common.ratelimit import rate_limit_hit
from tipline.missing import services
from tipline.missing.choices import Source
from tipline.missing.drafts import RecordInput
from tipline.missing.models import MissingRecord


def _error(status: int, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def _guard(request: HttpRequest) -> tuple[ApiClient | None, HttpResponse | None]:
    """Authenticate, authorise (`missing:submit`) and rate-limit."""
    client = api_client_from_request(request)
    if client is None:
        response = _error(401, "Missing or invalid API key.")
        response["WWW-Authenticate"] = 'Bearer realm="tipline"'
        return None, response
    if not client.has_scope(Scope.MISSING_SUBMIT):
        return None, _error(403, f"This API key lacks the {Scope.MISSING_SUBMIT.value!r} scope.")
    verdict = rate_limit_hit(
        key=f"api:{client.pk}", limit=settings.RATE_LIMIT_API_PER_MINUTE, window_seconds=60
    )
    if not verdict.allowed:
        response = _error(429, "Too many requests.", retry_after=verdict.retry_after)
        response["Retry-After"] = str(verdict.retry_after)
        return None, response
    return client, None


def _read(request: HttpRequest) -> tuple[RecordInput | None, HttpResponse | None]:
    if (request.content_type or "") != "application/json":
        return None, _error(415, "Send the body as application/json.")
    body = request.read(settings.API_MAX_BODY_BYTES + 1)
    if len(body) > settings.API_MAX_BODY_BYTES:
        return None, _error(413, f"The body exceeds {settings.API_MAX_BODY_BYTES} bytes.")
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, _error(400, "The body is not valid UTF-8 JSON.", detail=str(exc))
    if "\u0000" in body.decode("utf-8", "replace") or "\\u0000" in body.decode("utf-8", "replace"):
        return None, _error(400, "The body holds a NUL character, which cannot be stored.")
    try:
        return RecordInput.model_validate(payload), None
    except ValidationError as exc:
        return None, _error(400, "Invalid record.", fields=_fields(exc))


def _fields(exc: ValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for item in exc.errors():
        path = ".".join(str(part) for part in item["loc"]) or "body"
        errors.setdefault(path, []).append(str(item["msg"]))
    return errors


def record_status(record: MissingRecord) -> dict[str, Any]:
    """What a partner reads of its own record: references and the status, no personal data."""
    return {
        "reference": record.reference,
        "status": record.status,
        "external_id": record.external_id or None,
        "command": record.command.code,
        "created_at": record.created_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
    }


def _existing(client: ApiClient, data: RecordInput) -> MissingRecord | None:
    if not data.external_id:
        return None
    found = MissingRecord.objects.select_related("command")
    return found.filter(api_client=client, external_id=data.external_id).first()


@csrf_exempt
@require_http_methods(["POST"])
def records_create(request: HttpRequest) -> HttpResponse:
    """POST /api/v1/missing: one record, pending verification."""
    client, denied = _guard(request)
    if denied or client is None:
        return denied or _error(401, "Missing or invalid API key.")
    data, bad = _read(request)
    if bad or data is None:
        return bad or _error(400, "Invalid record.")
    if (existing := _existing(client, data)) is not None:
        response = JsonResponse(record_status(existing), status=200)
        response["Idempotent-Replayed"] = "true"
        return response
    try:
        registered = services.missing_record_create(
            data=data, source=Source.API, actor=None, api_client=client, ip=client_ip(request)
        )
    except DjangoValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"body": exc.messages}
        return _error(400, "Invalid record.", fields=fields)
    body = {**record_status(registered.record), "receipt_code": registered.receipt_code}
    return JsonResponse(body, status=201)


@csrf_exempt  # a token API has no cookie session to protect: a POST here is simply a 405
@require_http_methods(["GET"])
def record_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """GET /api/v1/missing/{reference}: the status of one of the caller's own records."""
    client, denied = _guard(request)
    if denied or client is None:
        return denied or _error(401, "Missing or invalid API key.")
    found = MissingRecord.objects.select_related("command")
    record = found.filter(api_client=client, reference=reference).first()
    if record is None:
        return _error(404, "No such record.")
    return JsonResponse(record_status(record))
