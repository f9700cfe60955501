"""The guardian's public pages: register a missing child, and the receipt. No login.

The same safety rules as the public report form: a rate limit per address before the body is
read, a declared size refused unread, the photo streamed into encrypted storage (never on disk
in clear) and deleted unless kept, the CSRF token checked as the body is read, a one-time token
so a reload or Back does not register the child twice, a honeypot, and a receipt code shown once.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods
from pydantic import ValidationError as InputError

from tipline.common.http import client_ip
from tipline.common.ratelimit import rate_limit_hit
from tipline.geo.selectors import state_choices
from tipline.media.orphans import media_discard_unreferenced
from tipline.media.uploads import EncryptedUpload, EncryptingUploadHandler, written_keys
from tipline.missing import services
from tipline.missing.choices import Source
from tipline.missing.drafts import RecordInput, input_problems
from tipline.missing.public_forms import GuardianForm

RECEIPT = "tipline_missing_receipt"
TOKEN_SECONDS = 24 * 3600


def _limited(request: HttpRequest) -> HttpResponse | None:
    verdict = rate_limit_hit(
        key=f"public-missing:{client_ip(request)}",
        limit=settings.RATE_LIMIT_PUBLIC_PER_HOUR,
        window_seconds=3600,
    )
    if verdict.allowed:
        return None
    response = render(request, "intake/limited.html", status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def _oversized(request: HttpRequest) -> HttpResponse | None:
    ceiling = settings.PUBLIC_ATTACHMENT_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = ceiling + 1
    if declared <= ceiling:
        return None
    limit_mb = settings.PUBLIC_ATTACHMENT_MAX_BYTES // (1024 * 1024)
    return render(request, "intake/too_large.html", {"limit_mb": limit_mb}, status=413)


@csrf_exempt  # checked by _guardian_form, after the rate limit: see the module's docstring
@never_cache
@require_http_methods(["GET", "POST"])
def guardian_form(request: HttpRequest) -> HttpResponse:
    """Register a missing child. A stored registration redirects to its receipt."""
    if request.method == "POST":
        if (refused := _limited(request) or _oversized(request)) is not None:
            return refused
        request.upload_handlers = [EncryptingUploadHandler(request)]
    try:
        return _guardian_form(request)
    finally:
        media_discard_unreferenced(keys=written_keys(request))


@csrf_protect
def _guardian_form(request: HttpRequest) -> HttpResponse:
    form = GuardianForm(
        request.POST or None,
        request.FILES or None,
        states=state_choices(),
        initial={"submission": secrets.token_urlsafe(24)},
    )
    if request.method == "POST":
        if request.POST.get("website"):
            return render(
                request, "missing/public_form.html", {"form": form, "blocked": True}, status=400
            )
        if form.is_valid() and (done := _submit(request, form)) is not None:
            return done
    status = 400 if request.method == "POST" else 200
    return render(request, "missing/public_form.html", {"form": form}, status=status)


def _token_key(token: str) -> str:
    return "public-missing-token:" + hashlib.sha256(token.encode()).hexdigest()


def _receipt() -> HttpResponse:
    response = HttpResponseRedirect(reverse("missing_public:receipt"))
    response.status_code = 303  # See Other: a reload GETs the receipt again
    return response


def _submit(request: HttpRequest, form: GuardianForm) -> HttpResponse | None:
    """Register once per form token; None (the form shows the errors) when refused."""
    token = form.cleaned_data.get("submission") or ""
    if token and not cache.add(_token_key(token), "", TOKEN_SECONDS):
        shown = request.session.get(RECEIPT) or {}
        if shown.get("token") == token:
            return _receipt()  # sent again: the registration it already made
        return render(request, "intake/form_resent.html", status=409)
    try:
        registered, photo_note = _register(request, form)
    except ValidationError as exc:
        cache.delete(_token_key(token))
        _show(form, exc)
        return None
    request.session[RECEIPT] = {
        "reference": registered.record.reference,
        "code": registered.receipt_code,
        "photo": photo_note,
        "token": token,
    }
    return _receipt()


def _show(form: GuardianForm, exc: ValidationError) -> None:
    """The service's refusal on the form: by field where the form has one, else on top."""
    named = exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
    for field, problems in named:
        form.add_error(field if field in form.fields else None, problems)


def _register(request: HttpRequest, form: GuardianForm) -> tuple[services.Registered, str]:
    try:
        data = RecordInput.model_validate(form.record_input())
    except InputError as exc:
        raise ValidationError(input_problems(exc)) from exc
    ip = client_ip(request)
    registered = services.missing_record_create(data=data, source=Source.PUBLIC, actor=None, ip=ip)
    return registered, _keep_photo(request, registered, ip)


def _keep_photo(request: HttpRequest, registered: services.Registered, ip: str | None) -> str:
    """Keep the photo if it is a readable image; say so on the receipt either way. The record
    stays whatever becomes of the photo."""
    upload = request.FILES.get("photo")
    if upload is None:
        return ""
    if not isinstance(upload, EncryptedUpload) or upload.blob is None:
        return _("The photo was not kept: it is too large or not an image.")
    try:
        services.missing_photo_add(
            record=registered.record, blob=upload.blob, sniffed=upload.sniffed, actor=None, ip=ip
        )
    except ValidationError:
        return _("The photo was not kept: it is too large or not an image.")
    return _("The photo was kept.")


@never_cache
@require_GET
def receipt(request: HttpRequest) -> HttpResponse:
    """The registration's reference and receipt code, the code shown once."""
    shown: dict[str, Any] | None = request.session.get(RECEIPT)
    if not shown:
        return HttpResponseRedirect(reverse("missing_public:register"))
    code = shown.get("code")
    if code is not None:
        request.session[RECEIPT] = {**shown, "code": None, "photo": ""}
    context = {"reference": shown["reference"], "code": code, "photo": shown.get("photo", "")}
    return render(request, "missing/public_receipt.html", context)
