"""Public pages: the report form, the receipt, and follow-up with the receipt code. No login."""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from tipline.common.http import client_ip
from tipline.common.public import public_limited, public_oversized
from tipline.geo.selectors import state_choices, state_name
from tipline.intake import services
from tipline.intake.forms import AddendumForm, PublicReportForm, ReceiptLookupForm
from tipline.media.orphans import media_discard_unreferenced
from tipline.media.uploads import EncryptedUpload, EncryptingUploadHandler, written_keys
from tipline.missing.choices import RECORD_PREFIX
from tipline.reports.choices import Channel
from tipline.reports.models import Report
from tipline.reports.selectors import report_for_receipt
from tipline.reports.services import report_add_addendum
from tipline.screening.choices import PREFILL_SESSION_KEY

VERIFIED_REFS = "tipline_receipt_refs"
# The receipt of the last report sent from this browser: the code is removed once shown.
RECEIPT = "tipline_receipt"
ADDED = "tipline_addendum_added"
# How long a form's one-time token remembers its report: a Back or reload a day later still
# finds it rather than filing a second report.
TOKEN_SECONDS = 24 * 3600
# A re-sent POST that arrives while the first is still being stored waits for it this long.
TOKEN_WAIT_SECONDS, TOKEN_POLL_SECONDS = 10.0, 0.25
REJECT_REASONS = {
    "too_large": gettext_noop("This file is larger than the limit and was not attached."),
    "bad_type": gettext_noop(
        "This file is not an image, video or document we accept, and was not attached."
    ),
    "too_many": gettext_noop("Too many files were sent at once; this one was not attached."),
    "total_too_large": gettext_noop(
        "The files together were larger than the limit; this one was not attached."
    ),
}


def _uploads(request: HttpRequest) -> list[EncryptedUpload]:
    return [f for f in request.FILES.getlist("attachments") if isinstance(f, EncryptedUpload)]


def _token_key(token: str) -> str:
    return "public-report-token:" + hashlib.sha256(token.encode()).hexdigest()


def _receipt_redirect() -> HttpResponse:
    response = HttpResponseRedirect(reverse("intake:receipt"))
    response.status_code = 303  # See Other: the browser GETs the receipt, and a reload GETs again
    return response


def _submit(request: HttpRequest, form: PublicReportForm) -> HttpResponse:
    """Store the report once per form token, keep its receipt in the session, and redirect."""
    token = form.cleaned_data.get("submission") or ""
    if token and not cache.add(_token_key(token), "", TOKEN_SECONDS):
        return _resent(request, token)
    try:
        submission = _store(request, form)
    except BaseException:
        if token:
            cache.delete(_token_key(token))  # nothing was stored: a resend may try again
        raise
    reference = submission.result.report.reference
    if token:
        cache.set(_token_key(token), reference, TOKEN_SECONDS)
    request.session[RECEIPT] = {
        "reference": reference,
        "code": submission.result.receipt_code,
        "rejected": submission.rejected_files,
    }
    return _receipt_redirect()


def _store(request: HttpRequest, form: PublicReportForm) -> services.PublicSubmission:
    data: dict[str, Any] = form.cleaned_data
    return services.public_report_submit(
        data=data,
        uploads=_uploads(request),
        language=get_language() or "en",
        state_name=state_name(data.get("state") or ""),
        wants_contact=form.wants_contact(),
        ip=client_ip(request),
    )


def _resent(request: HttpRequest, token: str) -> HttpResponse:
    """A form sent again (reload, Back): the receipt of the report it already made."""
    deadline = time.monotonic() + TOKEN_WAIT_SECONDS
    while not (reference := cache.get(_token_key(token))) and time.monotonic() < deadline:
        time.sleep(TOKEN_POLL_SECONDS)  # the first POST is still storing it
    if not reference:
        return render(request, "intake/form_resent.html", status=409)
    shown = request.session.get(RECEIPT) or {}
    if shown.get("reference") != reference:
        request.session[RECEIPT] = {"reference": reference, "code": None, "rejected": []}
    return _receipt_redirect()


@csrf_exempt  # checked by _report_form, after the rate limit: see below
@never_cache
@require_http_methods(["GET", "POST"])
def report_form(request: HttpRequest) -> HttpResponse:
    """The report form. Works with JavaScript off. A stored report redirects to its receipt
    (POST/redirect/GET), and the form's one-time token makes a re-sent POST find that report.

    Files are stored only once the rate limit and the declared size allow it; the CSRF token
    travels in the same body as the files, so it is checked as the body is read, and anything
    stored for a request that did not become a report is deleted before the answer goes out.
    """
    if request.method == "POST":
        if (
            refused := public_limited(request, bucket="public-report")
            or public_oversized(request, files_bytes=settings.PUBLIC_ATTACHMENT_MAX_TOTAL_BYTES)
        ) is not None:
            return refused
        request.upload_handlers = [EncryptingUploadHandler(request)]
    try:
        return _report_form(request)
    finally:
        media_discard_unreferenced(keys=written_keys(request))


@csrf_protect
def _report_form(request: HttpRequest) -> HttpResponse:
    form = PublicReportForm(
        request.POST or None,
        request.FILES or None,
        states=state_choices(),
        initial={"submission": secrets.token_urlsafe(24), **_prefill(request)},
    )
    if request.method == "POST":
        if request.POST.get("website"):
            return render(request, "intake/form.html", {"form": form, "blocked": True}, status=400)
        if form.is_valid():
            return _submit(request, form)
    status = 400 if request.method == "POST" else 200
    return render(request, "intake/form.html", {"form": form}, status=status)


def _prefill(request: HttpRequest) -> dict[str, str]:
    """What the 'check a job offer' page left when the person chose to report it (taken once)."""
    if request.method != "GET":
        return {}
    return dict(request.session.pop(PREFILL_SESSION_KEY, None) or {})


@never_cache
@require_GET
def receipt(request: HttpRequest) -> HttpResponse:
    """The receipt of the report just sent from this browser. The code is shown once: a reload
    shows the reference and says the code was already given."""
    shown = request.session.get(RECEIPT)
    if not shown:
        return HttpResponseRedirect(reverse("intake:report"))
    code = shown.get("code")
    if code is not None:
        request.session[RECEIPT] = {**shown, "code": None, "rejected": []}
    rejected = [
        (name, _(REJECT_REASONS.get(reason, reason))) for name, reason in shown.get("rejected", [])
    ]
    context = {"reference": shown["reference"], "code": code, "rejected": rejected}
    return render(request, "intake/receipt.html", context)


def _to_missing_follow_up() -> HttpResponse:
    """The missing follow-up's look-up, in this language, asked again with the same form: a 307
    makes the browser re-send the POST (same field names), so the guardian need not type again.
    Nothing is looked up here: the answer is the same whether the reference exists or not, and
    the look-up there counts the attempt against its own limit."""
    response = HttpResponseRedirect(reverse("missing_public:follow_up_lookup"))
    response.status_code = 307
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def status_lookup(request: HttpRequest) -> HttpResponse:
    """Enter the reference and receipt code to follow up a report (a missing child's
    registration reference is handed to the missing follow-up)."""
    form = ReceiptLookupForm(request.POST or None)
    if request.method == "POST":
        if (limited := public_limited(request, bucket="receipt-lookup")) is not None:
            return limited
        if form.is_valid():
            if form.cleaned_data["reference"].strip().upper().startswith(RECORD_PREFIX):
                return _to_missing_follow_up()
            report = report_for_receipt(
                reference=form.cleaned_data["reference"],
                receipt_code=form.cleaned_data["receipt_code"],
            )
            if report is not None:
                refs = set(request.session.get(VERIFIED_REFS, []))
                request.session[VERIFIED_REFS] = sorted(refs | {report.reference})
                return HttpResponseRedirect(reverse("intake:status", args=[report.reference]))
            form.add_error(None, _("We could not find a report with that reference and code."))
    return render(request, "intake/status_lookup.html", {"form": form})


def _verified_report(request: HttpRequest, reference: str) -> Report | None:
    if reference not in request.session.get(VERIFIED_REFS, []):
        return None
    return Report.objects.filter(reference=reference).first()


@never_cache
@require_http_methods(["GET", "POST"])
def report_status(request: HttpRequest, reference: str) -> HttpResponse:
    """The status of one report, for whoever proved they hold its receipt code."""
    report = _verified_report(request, reference)
    if report is None:
        return HttpResponseRedirect(reverse("intake:status_lookup"))
    form = AddendumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report_add_addendum(
            report=report,
            body=form.cleaned_data["body"],
            channel=Channel.WEB,
            ip=client_ip(request),
        )
        request.session[ADDED] = reference  # said once, after the redirect
        response = HttpResponseRedirect(reverse("intake:status", args=[reference]))
        response.status_code = 303  # a reload GETs the page instead of adding the text again
        return response
    added = request.method == "GET" and request.session.pop(ADDED, None) == reference
    context = {"report": report, "form": form, "added": added}
    status = 400 if form.errors else 200
    return render(request, "intake/status.html", context, status=status)


def safety(request: HttpRequest) -> HttpResponse:
    """Safety guidance, also linked from the form."""
    return render(request, "intake/safety.html")
