"""The supervisors' look-up page: who searched, opened, revealed or exported what, and when.

Supervisors and administrators only (anyone else gets 404, as for a page that does not exist).
National staff see every look-up; a supervisor of some commands sees those of the staff of their
commands. Filtering by an identifier, and every CSV export, is itself recorded as a look-up.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from tipline.accounts.choices import NATIONAL_ROLES
from tipline.accounts.models import User
from tipline.accounts.selectors import command_ids_for
from tipline.accounts.types import StaffRequest, Viewer
from tipline.audit.forms import LookupFilterForm
from tipline.audit.lookups import lookup_note
from tipline.audit.models import LookupEvent, LookupKind
from tipline.audit.selectors import LookupFilters, lookups_filtered, lookups_page
from tipline.dashboards.exports import csv_safe

EXPORT_MAX = 50_000
CSV_COLUMNS = ("time (WAT)", "person", "kind", "report or object", "asked", "results", "ip")


def lookup_scope_for(user: Viewer) -> QuerySet[Any] | None:
    """The users whose look-ups `user` may see (None: everyone). 404 unless a supervisor or an
    administrator: the one access check of this page."""
    if not isinstance(user, User) or not user.is_active or user.role not in NATIONAL_ROLES:
        raise Http404("No such page.")
    commands = command_ids_for(user)
    if commands is None:
        return None
    return User.objects.filter(Q(commands__in=commands) | Q(pk=user.pk)).values("pk")


def _cursor(value: str) -> tuple[datetime, int] | None:
    """`after=<microseconds since 1970>-<id>`; anything else is the first page."""
    micros, _, pk = value.partition("-")
    if not (micros.isdigit() and pk.isdigit() and len(micros) <= 20 and len(pk) <= 20):
        return None
    return datetime.fromtimestamp(int(micros) / 1_000_000, tz=UTC), int(pk)


def _cursor_text(after: tuple[datetime, int] | None) -> str:
    if after is None:
        return ""
    at, pk = after
    return f"{round(at.timestamp() * 1_000_000)}-{pk}"


def _form(request: StaffRequest, actors: QuerySet[Any] | None) -> LookupFilterForm:
    people = User.objects.filter(pk__in=actors) if actors is not None else User.objects.all()
    return LookupFilterForm(request.GET, people=people)


def _identifier_hash(filters: LookupFilters) -> str:
    """Asking who looked up a phone is itself a look-up of that phone, recorded under its hash."""
    return min(filters.identifier_hashes) if filters.identifier_hashes else ""


@login_required
@require_GET
def lookups(request: StaffRequest) -> HttpResponse:
    """The look-ups, newest first, 100 a page, filtered; `?format=csv` exports them all."""
    actors = lookup_scope_for(request.user)
    form = _form(request, actors)
    if not form.is_valid():
        return render(request, "audit/lookups.html", {"form": form}, status=400)
    filters = form.filters(actors=actors)
    if request.GET.get("format") == "csv":
        return _export(request, filters)
    if filters.identifier_hashes:
        query = request.GET.get("identifier", "")
        identifier_hash = _identifier_hash(filters)
        lookup_note(
            request, kind=LookupKind.AUDIT_SEARCH, identifier_hash=identifier_hash, query=query
        )
    page = lookups_page(filters, after=_cursor(request.GET.get("after", "")))
    following = request.GET.copy()
    following["after"] = _cursor_text(page.after)
    exporting = request.GET.copy()
    exporting.pop("after", None)
    exporting["format"] = "csv"
    context = {
        "form": form,
        "page": page,
        "next_query": following.urlencode() if page.after else "",
        "export_query": exporting.urlencode(),
        "display_tz": settings.DISPLAY_TIME_ZONE,
    }
    return render(request, "audit/lookups.html", context)


def _csv_row(event: LookupEvent, zone: ZoneInfo) -> list[Any]:
    results = "" if event.result_count is None else f"{event.result_count}"
    results += "+" if event.result_more else ""
    when = event.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
    kind = event.get_kind_display()
    row = [when, event.actor_label, kind, event.object_ref, event.query, results, event.ip or ""]
    return [csv_safe(cell) for cell in row]


def _export(request: StaffRequest, filters: LookupFilters) -> HttpResponse:
    """Every matching look-up (up to `EXPORT_MAX`) as CSV; the export is recorded too."""
    events = list(lookups_filtered(filters)[: EXPORT_MAX + 1])
    more = len(events) > EXPORT_MAX
    disposition = content_disposition_header(as_attachment=True, filename="tipline-lookups.csv")
    response = HttpResponse(
        content_type="text/csv; charset=utf-8", headers={"Content-Disposition": disposition}
    )
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    zone = ZoneInfo(settings.DISPLAY_TIME_ZONE)
    writer.writerows(_csv_row(event, zone) for event in events[:EXPORT_MAX])
    shown = min(len(events), EXPORT_MAX)
    query = request.GET.urlencode()
    lookup_note(
        request,
        kind=LookupKind.AUDIT_EXPORT,
        identifier_hash=_identifier_hash(filters),
        query=query,
        result_count=shown,
        result_more=more,
    )
    return response
