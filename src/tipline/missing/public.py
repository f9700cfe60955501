"""The guardian's public pages: register a missing child, the receipt, and the follow-up
(with the reference and the receipt code: the record's status in plain words, and a form to
add what they learnt since). No login.

The same safety rules as the public report form: a rate limit per address before the body is
read, a declared size refused unread, the photo streamed into encrypted storage (never on disk
in clear) and deleted unless kept, the CSRF token checked as the body is read, a one-time token
so a reload or Back does not register the child twice, a honeypot, and a receipt code shown once.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from pydantic import ValidationError as InputError

from tipline.common.http import client_ip
from tipline.geo.selectors import state_choices
from tipline.missing import services
from tipline.missing.choices import RecordStatus, Source
from tipline.missing.drafts import RecordInput, input_problems
from tipline.missing.forms import words
from tipline.missing.guards import (
    first_use,
    forget_use,
    keep_photo,
    photo_note,
    public_limited,
    public_oversized,
    see_other,
    takes_photos,
)
from tipline.missing.models import MissingRecord
from tipline.missing.public_forms import (
    AddInformationForm,
    FollowUpLookupForm,
    GuardianForm,
)
from tipline.missing.selectors import record_for_receipt

RECEIPT = "tipline_missing_receipt"
REGISTER = "missing-register"  # the rate limit's and the one-time token's name


def _refused(request: HttpRequest) -> HttpResponse | None:
    return public_limited(request, REGISTER) or public_oversized(request)


@never_cache
@require_http_methods(["GET", "POST"])
@takes_photos(_refused)
def guardian_form(request: HttpRequest) -> HttpResponse:
    """Register a missing child. A stored registration redirects to its receipt."""
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


def _submit(request: HttpRequest, form: GuardianForm) -> HttpResponse | None:
    """Register once per form token; None (the form shows the errors) when refused."""
    token = form.cleaned_data.get("submission") or ""
    if not first_use(token, REGISTER):
        shown = request.session.get(RECEIPT) or {}
        if shown.get("token") == token:
            return see_other(reverse("missing_public:receipt"))  # the registration it made
        return render(request, "intake/form_resent.html", status=409)
    try:
        registered, photo = _register(request, form)
    except ValidationError as exc:
        forget_use(token, REGISTER)
        _show(form, exc)
        return None
    request.session[RECEIPT] = {
        "reference": registered.record.reference,
        "code": registered.receipt_code,
        "photo": photo,
        "token": token,
    }
    return see_other(reverse("missing_public:receipt"))


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
    upload = request.FILES.get("photo")
    if upload is None:
        return registered, ""
    return registered, photo_note(
        keep_photo(record=registered.record, upload=upload, actor=None, ip=ip)
    )


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


# Follow-up with the receipt code ---------------------------------------------------------------

FOLLOWED = "tipline_missing_followed"  # the references this browser proved it holds the code of
ADDED = "tipline_missing_added"
FOLLOW_UP = "missing-follow-up"
# What a status means to a guardian. A death is never told on a web page: an officer calls.
STATUS_WORDS = {
    RecordStatus.REPORTED: gettext_lazy(
        "Received. An officer will check the registration and call you."
    ),
    RecordStatus.VERIFIED: gettext_lazy("Checked by an officer. The child is being looked for."),
    RecordStatus.SIGHTED: gettext_lazy(
        "Someone has seen the child, and officers are following it up."
    ),
    RecordStatus.FOUND: gettext_lazy("The child has been found. An officer will call you."),
    RecordStatus.REUNIFIED: gettext_lazy("The child is back with the family."),
    RecordStatus.IN_CARE: gettext_lazy("The child is safe, in care. An officer will call you."),
    RecordStatus.DECEASED: gettext_lazy("An officer needs to speak with you. Please call 627."),
    RecordStatus.CLOSED: gettext_lazy("The case is closed. Call 627 if you have a question."),
}


@never_cache
@require_http_methods(["GET", "POST"])
def follow_up_lookup(request: HttpRequest) -> HttpResponse:
    """Enter the registration's reference and receipt code to follow it up."""
    form = FollowUpLookupForm(request.POST or None)
    if request.method == "POST":
        if (limited := public_limited(request, FOLLOW_UP)) is not None:
            return limited
        if form.is_valid():
            record = record_for_receipt(
                reference=form.cleaned_data["reference"],
                receipt_code=form.cleaned_data["receipt_code"],
            )
            if record is not None:
                followed = set(request.session.get(FOLLOWED, []))
                request.session[FOLLOWED] = sorted(followed | {record.reference})
                return see_other(reverse("missing_public:follow_up", args=[record.reference]))
            form.add_error(
                None, _("We could not find a registration with that reference and code.")
            )
    status = 400 if form.errors else 200
    return render(request, "missing/follow_up_lookup.html", {"form": form}, status=status)


def _followed(request: HttpRequest, reference: str) -> MissingRecord | None:
    if reference not in request.session.get(FOLLOWED, []):
        return None
    return MissingRecord.objects.filter(reference=reference).first()


def _refused_follow_up(request: HttpRequest) -> HttpResponse | None:
    return public_limited(request, FOLLOW_UP) or public_oversized(request)


@never_cache
@require_http_methods(["GET", "POST"])
@takes_photos(_refused_follow_up)
def follow_up(request: HttpRequest, reference: str) -> HttpResponse:
    """The record's status in plain words and a form to add information, for whoever proved
    they hold its receipt code (anyone else is sent to the look-up)."""
    record = _followed(request, reference)
    if record is None:
        return HttpResponseRedirect(reverse("missing_public:follow_up_lookup"))
    form = AddInformationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            request.session[ADDED] = {"reference": reference, "photo": _add(request, record, form)}
            return see_other(reverse("missing_public:follow_up", args=[reference]))
        except ValidationError as exc:
            form.add_error(None, exc.messages)
    added = request.session.pop(ADDED, None) if request.method == "GET" else None
    context = {
        "record": record,
        "status_words": STATUS_WORDS[RecordStatus(record.status)],
        "form": form if record.status != RecordStatus.CLOSED else None,
        "added": added if added and added.get("reference") == reference else None,
    }
    return render(request, "missing/follow_up.html", context, status=400 if form.errors else 200)


def _add(request: HttpRequest, record: MissingRecord, form: AddInformationForm) -> str:
    """Add the guardian's information, then the photo if any; what to say of the photo."""
    data, ip = form.cleaned_data, client_ip(request)
    phones = [data["phone"]] if data["phone"] else []
    names = words(data["other_names"])
    if data["text"] or names or phones:
        services.missing_record_add_information(
            record=record, text=data["text"], other_names=names, phones=phones, actor=None, ip=ip
        )
    upload = request.FILES.get("photo")
    if upload is None:
        return ""
    return photo_note(keep_photo(record=record, upload=upload, actor=None, ip=ip))
