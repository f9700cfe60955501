"""The public alert pages: the index at /alerts/, the Atom feed, each CAP message, the photo and
the poster; per child, a page in the visitor's language with an "I have seen this child" form
that files a missing-child sighting through `report_submit` like any public report.

A cancelled alert (the child found) shows only that: no name, photo or description.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from tipline.common.http import client_ip
from tipline.common.time import utcnow
from tipline.geo.selectors import state_choices
from tipline.missing.alerts import alert_message, alert_newest, alerts_active
from tipline.missing.cap import CAP_TYPE, atom_feed, cap_document
from tipline.missing.choices import MessageType
from tipline.missing.guards import first_use, public_limited, see_other
from tipline.missing.models import AlertMessage, MissingPhoto
from tipline.missing.photos import photo_jpeg
from tipline.missing.poster import poster_pdf
from tipline.missing.public_forms import SightingForm
from tipline.reports.choices import Channel, IncidentType, PersonRole
from tipline.reports.drafts import IncidentDraft, PersonDraft, Phone, ReportDraft
from tipline.reports.services import report_submit

SIGHTING_RECEIPT = "tipline_sighting_receipt"
SIGHTING = "sighting"  # the rate limit's and the one-time token's name
# Public alert documents may be cached briefly by readers and relays, never for long: an alert
# that is cancelled must stop showing soon.
PUBLIC_CACHE = "public, max-age=60"


def _links(request: HttpRequest, message: AlertMessage) -> dict[str, str]:
    public = message.public or {}
    page = reverse("missing_public:alert", args=[message.public_id])
    links = {
        "page": request.build_absolute_uri(page),
        "cap": request.build_absolute_uri(reverse("alerts:cap", args=[message.identifier])),
    }
    if public.get("photo"):
        photo = reverse("alerts:photo", args=[message.public_id])
        links["photo"] = request.build_absolute_uri(photo)
    return links


def _public(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = PUBLIC_CACHE
    return response


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The active alerts, newest first."""
    rows = [(m, _links(request, m)) for m in alerts_active()]
    return render(request, "missing/alert_index.html", {"rows": rows})


@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    """Atom feed of the active alerts; each entry links its CAP document."""
    messages = alerts_active()
    updated = messages[0].sent if messages else utcnow()
    body = atom_feed(
        messages,
        feed_url=request.build_absolute_uri(reverse("alerts:feed")),
        updated=updated,
        links=lambda m: _links(request, m),
    )
    return _public(HttpResponse(body, content_type="application/atom+xml; charset=utf-8"))


@require_GET
def cap(request: HttpRequest, identifier: str) -> HttpResponse:
    """One CAP 1.2 message (Alert, Update or Cancel)."""
    message = alert_message(identifier=identifier)
    body = cap_document(message, links=_links(request, message))
    return _public(HttpResponse(body, content_type=f"{CAP_TYPE}; charset=utf-8"))


def _photo_of(message: AlertMessage) -> MissingPhoto:
    photo_id = (message.public or {}).get("photo")
    if message.msg_type == MessageType.CANCEL or not photo_id:
        raise Http404("No photo.")
    found = MissingPhoto.objects.filter(pk=photo_id, record_id=message.record_id).first()
    if found is None:
        raise Http404("No photo.")
    return found


@require_GET
def photo(request: HttpRequest, public_id: str) -> HttpResponse:
    """The child's photo while the alert is active (EXIF stripped)."""
    found = _photo_of(alert_newest(public_id=public_id))
    return _public(HttpResponse(photo_jpeg(found), content_type="image/jpeg"))


@require_GET
def poster(request: HttpRequest, public_id: str) -> HttpResponse:
    """The printable A4 poster (PDF) while the alert is active."""
    message = alert_newest(public_id=public_id)
    if message.msg_type == MessageType.CANCEL:
        raise Http404("The alert has ended.")
    found = _photo_of(message) if (message.public or {}).get("photo") else None
    image = photo_jpeg(found) if found else None
    body = poster_pdf(message.public or {}, photo=image, url=_links(request, message)["page"])
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{public_id}.pdf"'
    return _public(response)


@require_GET
def alert_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """The child's page in the visitor's language; only "found" once the alert is cancelled."""
    message = alert_newest(public_id=public_id)
    context: dict[str, Any] = {"message": message, "public_id": public_id}
    if message.msg_type != MessageType.CANCEL:
        context.update(public=message.public or {}, links=_links(request, message))
    return render(request, "missing/alert_page.html", context)


# "I have seen this child" --------------------------------------------------------------------


def _draft(message: AlertMessage, data: dict[str, Any]) -> ReportDraft:
    public = message.public or {}
    child = PersonDraft(
        role=PersonRole.VICTIM,
        first_name=public.get("given_names") or None,
        last_name=public.get("family_name") or None,
        age=public.get("age"),
    )
    people = [child]
    if data["phone"]:
        people.append(PersonDraft(role=PersonRole.REPORTER, phones=[Phone(number=data["phone"])]))
    incident = IncidentDraft(
        type=IncidentType.MISSING_CHILD_SIGHTING,
        description=f"Sighting of the child of public alert {message.public_id}: {data['what']}",
        occurred_at_text=data["when"] or None,
        location_text=data["place"] or None,
        state_code=data["state"] or None,
    )
    return ReportDraft(
        channel=Channel.WEB,
        language=get_language() or "en",
        incident=incident,
        people=people,
        extra={"missing_alert": message.public_id},
    )


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def sighting(request: HttpRequest, public_id: str) -> HttpResponse:
    """Tell us where and when the child was seen; becomes a missing-child sighting report."""
    message = alert_newest(public_id=public_id)
    if message.msg_type == MessageType.CANCEL:
        return HttpResponseRedirect(reverse("missing_public:alert", args=[public_id]))
    if request.method == "POST" and (refused := public_limited(request, SIGHTING)) is not None:
        return refused
    form = SightingForm(
        request.POST or None,
        states=state_choices(),
        initial={"submission": secrets.token_urlsafe(24)},
    )
    if request.method == "POST" and not request.POST.get("website") and form.is_valid():
        return _file(request, message, form)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "public_id": public_id, "public": message.public or {}}
    return render(request, "missing/sighting_form.html", context, status=status)


def _file(request: HttpRequest, message: AlertMessage, form: SightingForm) -> HttpResponse:
    token = form.cleaned_data["submission"]
    if first_use(token, SIGHTING):
        result = report_submit(draft=_draft(message, form.cleaned_data), ip=client_ip(request))
        request.session[SIGHTING_RECEIPT] = {
            "reference": result.report.reference,
            "code": result.receipt_code,
        }
    return see_other(reverse("missing_public:sighting_received"))


@never_cache
@require_GET
def sighting_received(request: HttpRequest) -> HttpResponse:
    """The sighting report's reference and receipt code, the code shown once."""
    shown = request.session.get(SIGHTING_RECEIPT)
    if not shown:
        return HttpResponseRedirect(reverse("alerts:index"))
    if shown.get("code") is not None:
        request.session[SIGHTING_RECEIPT] = {**shown, "code": None}
    return render(request, "intake/receipt.html", {**shown, "rejected": []})
