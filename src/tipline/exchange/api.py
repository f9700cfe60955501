"""The partners' JSON API at /api/v1/: the pull feed and inbound referrals.

It follows the reporting API's shape (intake/api.py): a bearer key with its scope, the same rate
limit per client and body ceiling. The key must belong to an active partner (the exchange's
registry): a partner pulls only its own shares, and what it refers carries it as the source.
Errors are RFC 9457 problem documents (`application/problem+json`).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.core import signing
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
from tipline.exchange.models import Partner
from tipline.exchange.openapi import FEED_LIMIT_DEFAULT, FEED_LIMIT_MAX, openapi_document
from tipline.exchange.referrals import ReferralInput
from tipline.exchange.selectors import feed_shares, partner_for_client
from tipline.exchange.services import (
    FeedItem,
    ReferralConflict,
    ReferralOutcome,
    feed_read,
    referral_receive,
)
from tipline.reports.choices import Channel
from tipline.reports.drafts import ReportDraft

_CURSOR_SALT = "tipline.exchange.feed"


class Problem(Exception):
    """An answer in the RFC 9457 shape."""

    def __init__(self, status: int, title: str, detail: str = "", **extra: Any) -> None:
        super().__init__(title)
        self.status, self.title, self.detail, self.extra = status, title, detail, extra

    def response(self) -> JsonResponse:
        body = {"type": "about:blank", "title": self.title, "status": self.status}
        body |= {"detail": self.detail} if self.detail else {}
        response = JsonResponse(
            body | self.extra, status=self.status, content_type="application/problem+json"
        )
        if self.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="tipline"'
        if self.status == 429:
            response["Retry-After"] = str(self.extra["retry_after"])
        return response


def _partner(request: HttpRequest, scope: str) -> tuple[ApiClient, Partner]:
    """Authenticate, authorise and rate-limit: the client and the partner it belongs to."""
    client = api_client_from_request(request)
    if client is None:
        raise Problem(401, "Missing or invalid API key.")
    if not client.has_scope(scope):
        raise Problem(403, "Scope missing.", f"This API key lacks the {scope!r} scope.")
    partner = partner_for_client(client=client)
    if partner is None:
        raise Problem(403, "Not a partner.", "This API key belongs to no active partner.")
    verdict = rate_limit_hit(
        key=f"api:{client.pk}", limit=settings.RATE_LIMIT_API_PER_MINUTE, window_seconds=60
    )
    if not verdict.allowed:
        raise Problem(429, "Too many requests.", retry_after=verdict.retry_after)
    return client, partner


# --------------------------------------------------------------------------- the feed


def cursor_for(*, partner: Partner, after: int) -> str:
    """An opaque cursor: the position after which the next page starts, signed for one partner
    so it cannot be edited or carried over to another. Untimed: the same position always gives
    the same cursor, so a client polling an empty page sees its cursor unchanged."""
    signer = signing.Signer(salt=_CURSOR_SALT)
    return signer.sign_object({"p": partner.pk, "a": after}, compress=True)


def _position(partner: Partner, cursor: str) -> int:
    if not cursor:
        return 0
    try:
        value = signing.Signer(salt=_CURSOR_SALT).unsign_object(cursor)
    except signing.BadSignature:
        raise Problem(400, "Invalid cursor.", "Send a cursor exactly as a page gave it.") from None
    if not isinstance(value, dict) or value.get("p") != partner.pk:
        raise Problem(400, "Invalid cursor.", "This cursor is not from your feed.")
    after = value.get("a")
    if not isinstance(after, int) or after < 0:
        raise Problem(400, "Invalid cursor.", "Send a cursor exactly as a page gave it.")
    return after


def _limit(text: str | None) -> int:
    if text is None:
        return FEED_LIMIT_DEFAULT
    if not text.isdigit() or not 1 <= int(text) <= FEED_LIMIT_MAX:
        raise Problem(400, "Invalid limit.", f"limit is a whole number from 1 to {FEED_LIMIT_MAX}.")
    return int(text)


def _item(item: FeedItem) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": f"shr_{item.share_id:012d}",
        "type": item.event_type,
        "created_at": item.created_at.isoformat(),
        "webhook_id": item.webhook_id or None,
    }
    if item.event is not None:
        out["data"] = item.event["data"]
    else:
        out["withheld"] = item.withheld
    return out


@csrf_exempt  # a token API has no cookie session to protect
@require_http_methods(["GET"])
def feed(request: HttpRequest) -> HttpResponse:
    """GET /api/v1/feed?cursor=…&limit=…: the partner's events after the cursor, oldest first,
    each only the package the partner may receive; `next_cursor` continues from the last one."""
    try:
        client, partner = _partner(request, Scope.FEED_READ)
        after = _position(partner, request.GET.get("cursor", ""))
        limit = _limit(request.GET.get("limit"))
    except Problem as problem:
        return problem.response()
    shares = feed_shares(partner=partner, after=after, limit=limit + 1)
    page, more = shares[:limit], len(shares) > limit
    items = feed_read(partner=partner, client=client, shares=page, ip=client_ip(request))
    last = page[-1].pk if page else after
    return JsonResponse(
        {
            "items": [_item(i) for i in items],
            "next_cursor": cursor_for(partner=partner, after=last),
            "has_more": more,
        }
    )


# --------------------------------------------------------------------------- referrals in


def _body(request: HttpRequest) -> bytes:
    if (request.content_type or "") != "application/json":
        raise Problem(415, "Unsupported media type.", "Send the body as application/json.")
    limit = settings.API_MAX_BODY_BYTES
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
        raise Problem(413, "Body too large.", f"The body exceeds {limit} bytes.")
    body = request.read(limit + 1)
    if len(body) > limit:
        raise Problem(413, "Body too large.", f"The body exceeds {limit} bytes.")
    return body


def _referral_input(body: bytes) -> ReferralInput:
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Problem(400, "Invalid JSON.", f"The body is not valid UTF-8 JSON: {exc}") from None
    try:
        parsed = ReferralInput.model_validate(payload)
    except ValidationError as exc:
        raise Problem(400, "Invalid referral.", fields=_field_errors(exc)) from None
    held = [f"files.{i}.storage_key" for i, f in enumerate(parsed.files) if f.storage_key]
    if held:  # a key would name a blob already stored here, which is never a partner's to name
        fields = {
            path: ["Send a file's hashes; this API does not take its content."] for path in held
        }
        raise Problem(400, "Invalid referral.", fields=fields)
    return parsed


def _field_errors(exc: ValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for item in exc.errors():
        path = ".".join(str(part) for part in item["loc"]) or "body"
        errors.setdefault(path, []).append(item["msg"])
    return errors


def _draft(parsed: ReferralInput, partner: Partner, body: bytes) -> ReportDraft:
    values = parsed.model_dump(exclude={"note"})
    source = {
        "code": partner.code,
        "name": partner.name,
        "kind": partner.kind,
        "referral_id": parsed.external_id,
        "note": parsed.note or "",
    }
    return ReportDraft(
        **values,
        channel=Channel.PARTNER,
        raw_record=body.decode("utf-8"),
        raw_content_type="application/json",
        extra={"partner": source},
    )


def _answer(outcome: ReferralOutcome) -> JsonResponse:
    report = outcome.report
    response = JsonResponse(
        {
            "reference": report.reference,
            "external_id": outcome.external_id,
            "status": report.status,
            "received_at": report.received_at.isoformat(),
        },
        status=201 if outcome.created else 200,
    )
    if not outcome.created:
        response["Idempotent-Replayed"] = "true"
    return response


@csrf_exempt
@require_http_methods(["POST"])
def referrals_create(request: HttpRequest) -> HttpResponse:
    """POST /api/v1/referrals: a partner's referral, stored once as a report (201); the same
    one again is answered as before (200, `Idempotent-Replayed`); its id with another body is
    refused (409)."""
    try:
        client, partner = _partner(request, Scope.REFERRALS_SUBMIT)
        body = _body(request)
        draft = _draft(_referral_input(body), partner, body)
        outcome = referral_receive(
            partner=partner,
            client=client,
            draft=draft,
            body_sha256=hashlib.sha256(body).hexdigest(),
            ip=client_ip(request),
        )
    except Problem as problem:
        return problem.response()
    except ReferralConflict as exc:
        return Problem(409, "Referral id reused.", "; ".join(exc.messages)).response()
    except DjangoValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"body": exc.messages}
        return Problem(400, "Invalid referral.", fields=fields).response()
    return _answer(outcome)


def openapi_json(request: HttpRequest) -> HttpResponse:
    """The partners' OpenAPI 3 document."""
    return JsonResponse(openapi_document())
