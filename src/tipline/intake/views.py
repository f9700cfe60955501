"""Public pages: the report form, the receipt, and follow-up with the receipt code. No login."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from tipline.common.http import client_ip
from tipline.common.ratelimit import rate_limit_hit
from tipline.geo.selectors import state_choices, state_name
from tipline.intake import services
from tipline.intake.forms import AddendumForm, PublicReportForm, ReceiptLookupForm
from tipline.media.orphans import media_discard_unreferenced
from tipline.media.uploads import EncryptedUpload, EncryptingUploadHandler, written_keys
from tipline.reports.choices import Channel
from tipline.reports.models import Report
from tipline.reports.selectors import report_for_receipt
from tipline.reports.services import report_add_addendum

VERIFIED_REFS = "tipline_receipt_refs"
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


def _limited(request: HttpRequest, bucket: str) -> HttpResponse | None:
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


def _oversized(request: HttpRequest) -> HttpResponse | None:
    """Refuse, before reading it, a body larger than the most any report may carry."""
    ceiling = settings.PUBLIC_ATTACHMENT_MAX_TOTAL_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = ceiling + 1
    if declared <= ceiling:
        return None
    limit_mb = settings.PUBLIC_ATTACHMENT_MAX_TOTAL_BYTES // (1024 * 1024)
    return render(request, "intake/too_large.html", {"limit_mb": limit_mb}, status=413)


def _uploads(request: HttpRequest) -> list[EncryptedUpload]:
    return [f for f in request.FILES.getlist("attachments") if isinstance(f, EncryptedUpload)]


def _submit(request: HttpRequest, form: PublicReportForm) -> HttpResponse:
    uploads = _uploads(request)
    data: dict[str, Any] = form.cleaned_data
    submission = services.public_report_submit(
        data=data,
        uploads=uploads,
        language=get_language() or "en",
        state_name=state_name(data.get("state") or ""),
        wants_contact=form.wants_contact(),
        ip=client_ip(request),
    )
    rejected = [
        (name, _(REJECT_REASONS.get(reason, reason))) for name, reason in submission.rejected_files
    ]
    context = {
        "report": submission.result.report,
        "code": submission.result.receipt_code,
        "rejected": rejected,
    }
    return render(request, "intake/receipt.html", context, status=201)


@csrf_exempt  # checked by _report_form, after the rate limit: see below
@never_cache
@require_http_methods(["GET", "POST"])
def report_form(request: HttpRequest) -> HttpResponse:
    """The report form. Works with JavaScript off; the receipt is shown once, in the response.

    Files are stored only once the rate limit and the declared size allow it; the CSRF token
    travels in the same body as the files, so it is checked as the body is read, and anything
    stored for a request that did not become a report is deleted before the answer goes out.
    """
    if request.method == "POST":
        if (refused := _limited(request, "public-report") or _oversized(request)) is not None:
            return refused
        request.upload_handlers = [EncryptingUploadHandler(request)]
    try:
        return _report_form(request)
    finally:
        media_discard_unreferenced(keys=written_keys(request))


@csrf_protect
def _report_form(request: HttpRequest) -> HttpResponse:
    form = PublicReportForm(request.POST or None, request.FILES or None, states=state_choices())
    if request.method == "POST":
        if request.POST.get("website"):
            return render(request, "intake/form.html", {"form": form, "blocked": True}, status=400)
        if form.is_valid():
            return _submit(request, form)
    status = 400 if request.method == "POST" else 200
    return render(request, "intake/form.html", {"form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def status_lookup(request: HttpRequest) -> HttpResponse:
    """Enter the reference and receipt code to follow up a report."""
    form = ReceiptLookupForm(request.POST or None)
    if request.method == "POST":
        if (limited := _limited(request, "receipt-lookup")) is not None:
            return limited
        if form.is_valid():
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
    added = False
    if request.method == "POST" and form.is_valid():
        report_add_addendum(
            report=report,
            body=form.cleaned_data["body"],
            channel=Channel.WEB,
            ip=client_ip(request),
        )
        form, added = AddendumForm(), True
    context = {"report": report, "form": form, "added": added}
    return render(request, "intake/status.html", context)


def safety(request: HttpRequest) -> HttpResponse:
    """Safety guidance, also linked from the form."""
    return render(request, "intake/safety.html")
