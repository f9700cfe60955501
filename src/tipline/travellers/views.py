"""Travel notices and places of concern in the console, mounted by config/urls.py at
/console/travellers/. Thin: parse, authorise with the selectors' access checks, call one
service, say what happened. A notice is TLP:AMBER: the national desk and its destination command
see it, anyone else gets 404 (`notice_get_for_user`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import ValidationError as InputError

from tipline.accounts.types import StaffRequest
from tipline.common.http import client_ip
from tipline.common.ratelimit import rate_limit_hit
from tipline.geo.models import State
from tipline.media.orphans import media_discard_unreferenced
from tipline.media.uploads import EncryptedUpload, EncryptingUploadHandler, written_keys
from tipline.people.choices import Decision
from tipline.travellers import forms, selectors
from tipline.travellers.api import django_errors, field_errors
from tipline.travellers.choices import ALLOWED_TRANSITIONS, CandidateState, NoticeStatus, Source
from tipline.travellers.drafts import NoticeInput
from tipline.travellers.match import candidate_decide as decide_candidate
from tipline.travellers.matching import LIKELY
from tipline.travellers.models import Notice, PlaceOfConcern
from tipline.travellers.photos import photo_jpeg
from tipline.travellers.places import manifest_check, place_create
from tipline.travellers.services import (
    notice_outcomes_exported,
    notice_photo_set,
    notice_receive,
    notice_set_outcome,
    notice_transition,
    purge_due_at,
)
from tipline.travellers.uploads import ManifestUploadHandler

# Uploads an hour per staff member: generous for real work, a ceiling for a stolen session.
UPLOADS_PER_HOUR = 100


def _notice_page(notice: Notice) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("travellers:notice", args=[notice.reference]))


def _place_page(place: PlaceOfConcern) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("travellers:place", args=[place.pk]))


# Notices ---------------------------------------------------------------------------------------


@login_required
@require_GET
def notice_queue(request: StaffRequest) -> HttpResponse:
    """The notices to act on, by arrival (within 48 hours highlighted), of the user's commands
    or one of them; the desk also sees border confirmations that matched no notice."""
    form = forms.QueueFilterForm(
        request.GET or None, commands=selectors.commands_for_user(request.user)
    )
    if form.is_bound and not form.is_valid():
        context = {"form": form, "rows": [], "unmatched": []}
        return render(request, "travellers/queue.html", context, status=400)
    command = form.cleaned_data.get("command", "") if form.is_bound else ""
    context = {
        "form": form,
        "rows": selectors.notice_queue_for_user(user=request.user, command=command),
        "unmatched": selectors.unmatched_confirmations_for_user(user=request.user),
        "desk": selectors.is_national_desk(request.user),
        "hours": selectors.HIGHLIGHT_HOURS,
    }
    return render(request, "travellers/queue.html", context)


def _desk_only(request: StaffRequest) -> None:
    if not selectors.is_national_desk(request.user):
        raise Http404("No such page.")


def _receive(request: StaffRequest, form: forms.NoticeForm) -> Notice | None:
    try:
        data = NoticeInput.model_validate(form.notice_input())
        return notice_receive(
            data=data, source=Source.CONSOLE, actor=request.user, ip=client_ip(request)
        ).notice
    except InputError as exc:
        form.add_input_errors(field_errors(exc))
    except ValidationError as exc:
        form.add_input_errors(django_errors(exc))
    return None


@login_required
@require_http_methods(["GET", "POST"])
def notice_new(request: StaffRequest) -> HttpResponse:
    """The national desk enters a notice; it is routed and matched at once."""
    _desk_only(request)
    form = forms.NoticeForm(
        request.POST if request.method == "POST" else None,
        states=selectors.state_choices_for_user(request.user),
    )
    if request.method == "POST" and form.is_valid():
        notice = _receive(request, form)
        if notice is not None:
            messages.success(
                request, f"{notice.reference} received, routed to {notice.command.name}."
            )
            return _notice_page(notice)
    status = 400 if request.method == "POST" else 200
    return render(request, "travellers/notice_new.html", {"form": form}, status=status)


@login_required
@require_GET
def notice_detail(request: StaffRequest, notice_reference: str) -> HttpResponse:
    """The notice: subject, document, trip, offence, status and outcome, candidates with their
    reasons, border confirmations, the timeline and when its personal fields will be purged."""
    notice = selectors.notice_get_for_user(user=request.user, reference=notice_reference)
    candidates, hidden = selectors.notice_candidates_for_user(user=request.user, notice=notice)
    cases = selectors.candidate_cases_for_user(user=request.user, candidates=candidates)
    context = {
        "notice": notice,
        "moves": [(s, NoticeStatus(s).label) for s in sorted(ALLOWED_TRANSITIONS[notice.status])],
        "outcome_form": forms.OutcomeForm(initial={"outcome": notice.outcome}),
        "candidates": [(c, cases.get(c.pk, [])) for c in candidates],
        "hidden_candidates": hidden,
        "likely": LIKELY,
        "open_state": CandidateState.OPEN,
        "confirmations": selectors.notice_confirmations(notice=notice),
        "timeline": selectors.notice_timeline(notice=notice),
        "places": notice.place_links.select_related("place"),
        "purge_at": purge_due_at(notice),
    }
    return render(request, "travellers/notice_detail.html", context)


Act = Callable[[StaffRequest, Notice, dict[str, Any]], str]


def _notice_action(
    request: StaffRequest, notice_reference: str, form_class: type[Form], act: Act
) -> HttpResponse:
    """Every notice action has this shape: scope, validate, one service, say what happened."""
    notice = selectors.notice_get_for_user(user=request.user, reference=notice_reference)
    form = form_class(request.POST)
    if not form.is_valid():
        problems = (f"{name}: {' '.join(map(str, e))}" for name, e in form.errors.items())
        messages.error(request, "; ".join(problems))
    else:
        try:
            messages.success(request, act(request, notice, form.cleaned_data))
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
    return _notice_page(notice)


def _status(request: StaffRequest, notice: Notice, data: dict[str, Any]) -> str:
    moved = notice_transition(
        notice=notice, to=data["to"], note=data["note"], actor=request.user, ip=client_ip(request)
    )
    return f"{moved.reference} is now {moved.get_status_display().lower()}."


@login_required
@require_POST
def notice_status(request: StaffRequest, notice_reference: str) -> HttpResponse:
    """Move the notice to another status (over the table of allowed moves)."""
    return _notice_action(request, notice_reference, forms.TransitionForm, _status)


def _outcome(request: StaffRequest, notice: Notice, data: dict[str, Any]) -> str:
    moved = notice_set_outcome(
        notice=notice, outcome=data["outcome"], actor=request.user, ip=client_ip(request)
    )
    return f"Outcome of {moved.reference}: {moved.get_outcome_display().lower()}."


@login_required
@require_POST
def notice_outcome(request: StaffRequest, notice_reference: str) -> HttpResponse:
    """Record what was done (the sender's feedback)."""
    return _notice_action(request, notice_reference, forms.OutcomeForm, _outcome)


@login_required
@require_POST
def candidate_decide(
    request: StaffRequest, notice_reference: str, notice_candidate_id: int
) -> HttpResponse:
    """Confirm or reject a candidate; kept as a label for the matcher (`people_decide`)."""
    notice = selectors.notice_get_for_user(user=request.user, reference=notice_reference)
    candidate = selectors.candidate_get_for_user(
        user=request.user, notice=notice, candidate_id=notice_candidate_id
    )

    def act(request: StaffRequest, notice: Notice, data: dict[str, Any]) -> str:
        decision = Decision(data["decision"])
        decide_candidate(
            candidate=candidate, decision=decision, actor=request.user, ip=client_ip(request)
        )
        return f"{decision.label}: candidate {candidate.pk} of {notice.reference}."

    return _notice_action(request, notice_reference, forms.DecideForm, act)


@login_required
@require_GET
def outcomes_export(request: StaffRequest) -> HttpResponse:
    """The outcomes of the notices the user may see as CSV, for the senders' feedback until the
    exchange sends it (the sender's reference, what was done, the border's times; no personal
    field). Audited."""
    rows = selectors.notice_outcomes_for_user(user=request.user)
    notice_outcomes_exported(actor=request.user, rows=len(rows), ip=client_ip(request))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(selectors.OUTCOME_COLUMNS)
    writer.writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="travel-notice-outcomes.csv"'
    return response


# Photo -----------------------------------------------------------------------------------------


def _upload_limited(request: StaffRequest) -> HttpResponse | None:
    verdict = rate_limit_hit(
        key=f"travellers-upload:{request.user.pk}", limit=UPLOADS_PER_HOUR, window_seconds=3600
    )
    return None if verdict.allowed else HttpResponse("Too many uploads; wait a while.", status=429)


@csrf_exempt  # checked by _photo_upload as the body is read: see below
@login_required
@require_POST
def photo_upload(request: StaffRequest, notice_reference: str) -> HttpResponse:
    """The subject's photo, streamed into encrypted storage and hashed as it arrives (scope and
    rate limit before the body is read, the encrypting handler, the CSRF check, and whatever was
    stored but not kept deleted before the answer)."""
    notice = selectors.notice_get_for_user(user=request.user, reference=notice_reference)
    if (refused := _upload_limited(request)) is not None:
        return refused
    request.upload_handlers = [EncryptingUploadHandler(request)]
    try:
        return _photo_upload(request, notice)
    finally:
        media_discard_unreferenced(keys=written_keys(request))


@csrf_protect
def _photo_upload(request: StaffRequest, notice: Notice) -> HttpResponse:
    upload = request.FILES.get("photo")
    if not isinstance(upload, EncryptedUpload) or upload.blob is None:
        reason = upload.error if isinstance(upload, EncryptedUpload) else "no file"
        messages.error(request, f"The photo was not taken ({reason}).")
        return _notice_page(notice)
    try:
        notice_photo_set(
            notice=notice,
            blob=upload.blob,
            sniffed=upload.sniffed,
            actor=request.user,
            ip=client_ip(request),
        )
        messages.success(request, "Photo added.")
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return _notice_page(notice)


@login_required
@require_GET
def photo_view(request: StaffRequest, notice_reference: str) -> HttpResponse:
    """The subject's photo, size-capped and without EXIF, never cached."""
    notice = selectors.notice_get_for_user(user=request.user, reference=notice_reference)
    if not notice.photo_key:
        raise Http404("No photo.")
    response = HttpResponse(photo_jpeg(notice.photo_key), content_type="image/jpeg")
    response["Cache-Control"] = "no-store, private"
    return response


# Places of concern -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def place_list(request: StaffRequest) -> HttpResponse:
    """The places of the user's states with their counts, and the form to register one."""
    form = forms.PlaceForm(
        request.POST if request.method == "POST" else None,
        states=selectors.state_choices_for_user(request.user),
    )
    if request.method == "POST" and form.is_valid():
        place = _register_place(request, form)
        if place is not None:
            messages.success(request, f"{place.name} registered.")
            return _place_page(place)
    state = request.GET.get("state", "")[:2]  # the dashboards' map links one state's places
    context = {"form": form, "rows": selectors.place_list_for_user(user=request.user, state=state)}
    status = 400 if form.errors else 200
    return render(request, "travellers/place_list.html", context, status=status)


def _register_place(request: StaffRequest, form: forms.PlaceForm) -> PlaceOfConcern | None:
    data = form.cleaned_data
    state = State.objects.get(code=data["state"])
    try:
        return place_create(
            name=data["name"],
            kind=data["kind"],
            state=state,
            actor=request.user,
            aliases=forms.words(data["aliases"]),
            lga=data["lga"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            notes=data["notes"],
        )
    except ValidationError as exc:
        for field, problems in django_errors(exc).items():
            form.add_error(field if field in form.fields else None, " ".join(problems))
    return None


@login_required
@require_GET
def place_detail(request: StaffRequest, place_id: int) -> HttpResponse:
    """A place: its reports, notices and cases on one timeline, its manifests, and the upload
    of a hotel's foreign-guest manifest."""
    place = selectors.place_get_for_user(user=request.user, place_id=place_id)
    context = {
        "place": place,
        "timeline": selectors.place_timeline_for_user(user=request.user, place=place),
        "manifests": selectors.place_manifests(place=place),
    }
    return render(request, "travellers/place_detail.html", context)


@csrf_exempt  # checked by _manifest_upload as the body is read: see below
@login_required
@require_POST
def manifest_upload(request: StaffRequest, place_id: int) -> HttpResponse:
    """A hotel's manifest (CSV), held in memory only, every guest matched against the notices;
    then the manifest's page with the likely matches."""
    place = selectors.place_get_for_user(user=request.user, place_id=place_id)
    if (refused := _upload_limited(request)) is not None:
        return refused
    handler = ManifestUploadHandler(request)
    request.upload_handlers = [handler]
    return _manifest_upload(request, place, handler)


@csrf_protect
def _manifest_upload(
    request: StaffRequest, place: PlaceOfConcern, handler: ManifestUploadHandler
) -> HttpResponse:
    upload = request.FILES.get("manifest")
    if handler.error or upload is None:
        messages.error(request, f"The manifest was not taken ({handler.error or 'no file'}).")
        return _place_page(place)
    try:
        manifest, _ = manifest_check(
            place=place, data=upload.read(), actor=request.user, ip=client_ip(request)
        )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return _place_page(place)
    messages.success(request, f"{manifest.rows_count} guests checked against the notices.")
    return HttpResponseRedirect(reverse("travellers:manifest", args=[place.pk, manifest.pk]))


@login_required
@require_GET
def manifest_detail(request: StaffRequest, place_id: int, manifest_id: int) -> HttpResponse:
    """The guests of a manifest who may be the subject of a notice the user sees, with reasons."""
    place = selectors.place_get_for_user(user=request.user, place_id=place_id)
    manifest = selectors.manifest_get_for_user(
        user=request.user, place=place, manifest_id=manifest_id
    )
    context = {
        "place": place,
        "manifest": manifest,
        "guests": selectors.manifest_matches_for_user(user=request.user, manifest=manifest),
        "likely": LIKELY,
    }
    return render(request, "travellers/manifest_detail.html", context)
