"""JSON API of travel notices, mounted beside the reporting API at /api/v1/:

- POST /api/v1/notices (scope `notices:submit`): a partner's notice; idempotent on the sender's
  reference (the same again answers 200 with the stored notice, storing nothing).
- POST /api/v1/notices/confirmations (scope `notices:confirm`): the border agency's arrival or
  departure record, matched to a notice by document and date of birth; kept when none matches.

It follows the reporting API's shape (intake/api.py): a bearer key with its scope, the same rate
limit and body ceiling, JSON errors with messages per field. The answer never says more about a
notice than its reference and status.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from pydantic import BaseModel, ValidationError

from tipline.accounts.auth import api_client_from_request
from tipline.accounts.choices import Scope
from tipline.accounts.models import ApiClient
from tipline.common.http import client_ip
from tipline.common.ratelimit import rate_limit_hit
from tipline.travellers.choices import Source
from tipline.travellers.drafts import ConfirmationInput, NoticeInput
from tipline.travellers.services import confirmation_receive, notice_receive


def _error(status: int, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def _guard(request: HttpRequest, scope: str) -> tuple[ApiClient | None, HttpResponse | None]:
    """Authenticate, authorise and rate-limit, as the reporting API does."""
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


def _read(request: HttpRequest, model: type[BaseModel]) -> tuple[Any, HttpResponse | None]:
    if (request.content_type or "") != "application/json":
        return None, _error(415, "Send the body as application/json.")
    body = request.read(settings.API_MAX_BODY_BYTES + 1)
    if len(body) > settings.API_MAX_BODY_BYTES:
        return None, _error(413, f"The body exceeds {settings.API_MAX_BODY_BYTES} bytes.")
    try:
        return model.model_validate(json.loads(body.decode("utf-8"))), None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, _error(400, "The body is not valid UTF-8 JSON.", detail=str(exc))
    except ValidationError as exc:
        return None, _error(400, "Invalid input.", fields=field_errors(exc))


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """pydantic's errors by field, the messages without pydantic's prefix."""
    errors: dict[str, list[str]] = {}
    for item in exc.errors():
        path = ".".join(str(part) for part in item["loc"]) or "body"
        errors.setdefault(path, []).append(str(item["msg"]).removeprefix("Value error, "))
    return errors


def django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    """A service's refusal by field."""
    return exc.message_dict if hasattr(exc, "error_dict") else {"body": exc.messages}


@csrf_exempt  # bearer-key API: no cookies, no CSRF
@require_http_methods(["POST"])
def notice_submit(request: HttpRequest) -> HttpResponse:
    """Receive one notice (201), or answer with the one already received (200)."""
    client, refused = _guard(request, Scope.NOTICES_SUBMIT)
    if refused is not None:
        return refused
    data, refused = _read(request, NoticeInput)
    if refused is not None:
        return refused
    try:
        received = notice_receive(
            data=data, source=Source.API, actor=None, api_client=client, ip=client_ip(request)
        )
    except DjangoValidationError as exc:
        return _error(400, "Invalid notice.", fields=django_errors(exc))
    notice = received.notice
    body = {"reference": notice.reference, "status": notice.status, "id": notice.sender_reference}
    return JsonResponse(body, status=201 if received.created else 200)


@csrf_exempt  # bearer-key API: no cookies, no CSRF
@require_http_methods(["POST"])
def confirmation_submit(request: HttpRequest) -> HttpResponse:
    """Receive one border confirmation; says whether it matched a notice."""
    client, refused = _guard(request, Scope.NOTICES_CONFIRM)
    if refused is not None:
        return refused
    data, refused = _read(request, ConfirmationInput)
    if refused is not None:
        return refused
    row, created = confirmation_receive(data=data, api_client=client, ip=client_ip(request))
    body = {
        "matched": row.notice is not None,
        "notice": row.notice.reference if row.notice else None,
    }
    return JsonResponse(body, status=201 if created else 200)
