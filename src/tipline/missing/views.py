"""Registry pages, framed by the console at /console/missing/. Thin: parse, authorise with
`record_get_for_user`, call one service, say what happened."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import ValidationError as InputError

from tipline.accounts.selectors import command_ids_for
from tipline.accounts.types import StaffRequest
from tipline.common.http import client_ip
from tipline.common.paging import PageRequest, keyset_page
from tipline.common.ratelimit import rate_limit_hit
from tipline.geo.models import RegionalCommand
from tipline.geo.selectors import state_choices
from tipline.missing import forms, services
from tipline.missing.choices import ALLOWED_TRANSITIONS, CandidateState, RecordStatus, Source
from tipline.missing.drafts import RecordInput, input_problems
from tipline.missing.guards import keep_photo, takes_photos
from tipline.missing.matching import LIKELY
from tipline.missing.models import MissingRecord
from tipline.missing.photos import photo_jpeg
from tipline.missing.selectors import (
    RECORD_LIST_ORDER,
    RecordFilters,
    candidate_get_for_user,
    candidates_to_review_for_user,
    record_candidates_for_user,
    record_get_for_user,
    record_list_for_user,
    record_photo_get,
    record_timeline,
)
from tipline.people.choices import Decision

# A staff member's photo uploads an hour: generous for real work, a ceiling for a stolen session.
PHOTO_UPLOADS_PER_HOUR = 100


def _detail(record: MissingRecord) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("missing:detail", args=[record.reference]))


@login_required
@require_GET
def record_list(request: StaffRequest) -> HttpResponse:
    """The user's records, most recently changed first, filtered and paged; a filter that does
    not validate is a 400 with the error, never silently dropped."""
    form = forms.FilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "missing/record_list.html", {"form": form, "page": None}, status=400)
    filters = RecordFilters(**form.cleaned_data) if form.is_bound else RecordFilters()
    qs = record_list_for_user(user=request.user, filters=filters)
    page = keyset_page(qs, order=RECORD_LIST_ORDER, request=PageRequest.from_query(request.GET))
    return render(request, "missing/record_list.html", {"form": form, "page": page})


def _commands(request: StaffRequest) -> list[tuple[str, str]]:
    scope = command_ids_for(request.user)
    qs = RegionalCommand.objects.order_by("name")
    if scope is not None:
        qs = qs.filter(pk__in=scope)
    return list(qs.values_list("code", "name"))


def _record_form(request: StaffRequest) -> forms.RecordForm:
    return forms.RecordForm(
        request.POST if request.method == "POST" else None,
        states=state_choices(),
        commands=_commands(request),
    )


def _register(request: StaffRequest, form: forms.RecordForm) -> MissingRecord:
    try:
        data = RecordInput.model_validate(form.record_input())
    except InputError as exc:
        raise ValidationError(input_problems(exc)) from exc
    command = RegionalCommand.objects.get(code=form.cleaned_data["command"])
    registered = services.missing_record_create(
        data=data, source=Source.CONSOLE, actor=request.user, command=command, ip=client_ip(request)
    )
    return registered.record


@login_required
@require_http_methods(["GET", "POST"])
def record_new(request: StaffRequest) -> HttpResponse:
    """Register a missing child (pending verification) and see its candidates at once."""
    form = _record_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            record = _register(request, form)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{record.reference} registered, pending verification.")
            return _detail(record)
    status = 400 if request.method == "POST" else 200
    return render(request, "missing/record_new.html", {"form": form}, status=status)


@login_required
@require_GET
def record_detail(request: StaffRequest, record_reference: str) -> HttpResponse:
    """The record: the child, the last sighting, guardians, photos, status moves, ranked
    candidates with their reasons, sightings and the timeline."""
    record = record_get_for_user(user=request.user, reference=record_reference)
    candidates, hidden = record_candidates_for_user(user=request.user, record=record)
    context = {
        "record": record,
        "photos": record.photos.order_by("pk"),
        "moves": [(s, RecordStatus(s).label) for s in sorted(ALLOWED_TRANSITIONS[record.status])],
        "candidates": candidates,
        "hidden_candidates": hidden,
        "likely": LIKELY,
        "open_state": CandidateState.OPEN,
        "sightings": record.sightings.select_related("report", "state").order_by("-seen_at"),
        "timeline": record_timeline(record=record),
        "alert": services.active_alert(record),
    }
    return render(request, "missing/record_detail.html", context)


Act = Callable[[StaffRequest, MissingRecord, dict[str, Any]], str]


def _record_action(
    request: StaffRequest, record_reference: str, form_class: type[Form], act: Act
) -> HttpResponse:
    """Every record action has this shape: scope, validate, one service, say what happened."""
    record = record_get_for_user(user=request.user, reference=record_reference)
    form = form_class(request.POST)
    if not form.is_valid():
        problems = (f"{name}: {' '.join(map(str, e))}" for name, e in form.errors.items())
        messages.error(request, "; ".join(problems))
    else:
        try:
            messages.success(request, act(request, record, form.cleaned_data))
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
    return _detail(record)


def _status(request: StaffRequest, record: MissingRecord, data: dict[str, Any]) -> str:
    moved = services.missing_transition(
        record=record, to=data["to"], note=data["note"], actor=request.user, ip=client_ip(request)
    )
    return f"{moved.reference} is now {moved.get_status_display().lower()}."


@login_required
@require_POST
def record_status(request: StaffRequest, record_reference: str) -> HttpResponse:
    """Move the record to another status (over the table of allowed moves)."""
    return _record_action(request, record_reference, forms.TransitionForm, _status)


@login_required
@require_POST
def candidate_decide(
    request: StaffRequest, record_reference: str, candidate_id: int
) -> HttpResponse:
    """Confirm a candidate (a sighting, or the child found) or reject it; kept as a label."""
    record = record_get_for_user(user=request.user, reference=record_reference)
    candidate = candidate_get_for_user(user=request.user, record=record, candidate_id=candidate_id)

    def act(request: StaffRequest, record: MissingRecord, data: dict[str, Any]) -> str:
        services.missing_candidate_decide(
            candidate=candidate,
            decision=Decision(data["decision"]),
            outcome=data["outcome"] or RecordStatus.SIGHTED,
            actor=request.user,
            ip=client_ip(request),
        )
        if data["decision"] == Decision.CONFIRMED:
            return f"Confirmed: {candidate.report.reference} is a sighting of {record.reference}."
        return f"Rejected: {candidate.report.reference} is not about {record.reference}."

    return _record_action(request, record_reference, forms.DecideForm, act)


def _information(request: StaffRequest, record: MissingRecord, data: dict[str, Any]) -> str:
    services.missing_record_add_information(
        record=record,
        text=data["text"],
        other_names=data["other_names"],
        phones=data["phones"],
        actor=request.user,
        ip=client_ip(request),
    )
    return f"Information added to {record.reference}; the record was matched again."


@login_required
@require_POST
def record_information(request: StaffRequest, record_reference: str) -> HttpResponse:
    """Add what an officer learnt (words, other names, phones); the record is matched again."""
    return _record_action(request, record_reference, forms.InformationForm, _information)


def _alert(request: StaffRequest, record: MissingRecord, data: dict[str, Any]) -> str:
    ip = client_ip(request)
    if data["action"] == "cancel":
        services.missing_alert_cancel(record=record, actor=request.user, ip=ip)
        return "Alert cancelled (CAP Cancel sent)."
    message = services.missing_alert_issue(record=record, actor=request.user, ip=ip)
    page = reverse("missing_public:alert", args=[message.public_id])
    services.alert_broadcast(message=message, url=request.build_absolute_uri(page))
    return f"{message.get_msg_type_display()} {message.identifier} published."


@login_required
@require_POST
def record_alert(request: StaffRequest, record_reference: str) -> HttpResponse:
    """Issue, update or cancel the record's public alert (supervisors and administrators)."""
    return _record_action(request, record_reference, forms.AlertForm, _alert)


@login_required
@require_GET
def review(request: StaffRequest) -> HttpResponse:
    """Undecided candidates across the user's records, most likely first."""
    rows = candidates_to_review_for_user(user=request.user)
    return render(request, "missing/review.html", {"rows": rows, "likely": LIKELY})


# Photos ----------------------------------------------------------------------------------------


def _upload_limited(request: HttpRequest) -> HttpResponse | None:
    verdict = rate_limit_hit(
        key=f"missing-photo:{request.user.pk}", limit=PHOTO_UPLOADS_PER_HOUR, window_seconds=3600
    )
    return None if verdict.allowed else HttpResponse("Too many uploads; wait a while.", status=429)


@login_required
@require_POST
@takes_photos(_upload_limited)
def photo_upload(request: StaffRequest, record_reference: str) -> HttpResponse:
    """A photo of the child, streamed into encrypted storage and hashed as it arrives (see
    `guards.takes_photos`); the record is matched again."""
    record = record_get_for_user(user=request.user, reference=record_reference)
    refusal = keep_photo(
        record=record, upload=request.FILES.get("photo"), actor=request.user, ip=client_ip(request)
    )
    if refusal:
        messages.error(request, f"The photo was not taken ({refusal}).")
    else:
        messages.success(request, "Photo added; the record was matched again.")
    return _detail(record)


@login_required
@require_GET
def photo_view(request: StaffRequest, record_reference: str, photo_id: int) -> HttpResponse:
    """The photo, size-capped and without EXIF, never cached."""
    record = record_get_for_user(user=request.user, reference=record_reference)
    photo = record_photo_get(record=record, photo_id=photo_id)
    response = HttpResponse(photo_jpeg(photo), content_type="image/jpeg")
    response["Cache-Control"] = "no-store, private"
    return response
