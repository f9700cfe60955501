"""The dashboards page and its CSV exports. Thin: parse the filters, call the selector, respond."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tipline.audit.lookups import lookup_note
from tipline.audit.models import LookupKind
from tipline.common.http import client_ip
from tipline.dashboards.charts import CHART_STYLES, chart_specs
from tipline.dashboards.exports import csv_response
from tipline.dashboards.forms import DashboardFilterForm
from tipline.dashboards.maps import choropleth, places_layer
from tipline.dashboards.selectors import TABLES, DashboardFilters, Table, dashboard_tables
from tipline.dashboards.services import dashboard_export_record
from tipline.travellers.selectors import places_by_state_for_user

TEMPLATE = "dashboards/overview.html"


@login_required
@never_cache
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """Map, charts and tables over the reports the user may see; `?format=csv&table=...` exports
    one table. Bad filters answer 400 with the form's errors, never a guess."""
    form = DashboardFilterForm(request.GET)
    if "format" in request.GET:
        return _export(request, form)
    if not form.is_valid():
        return render(request, TEMPLATE, {"form": form}, status=400)
    filters = form.filters()
    tables = dashboard_tables(user=request.user, filters=filters)
    places = places_by_state_for_user(user=request.user, since=filters.since, until=filters.until)
    context = _page(filters, tables)
    context["places"] = places_layer([(p.code, p.name, p.places, p.reports) for p in places])
    context["places_url"] = reverse("travellers:places")
    return render(request, TEMPLATE, context)


def _export(request: HttpRequest, form: DashboardFilterForm) -> HttpResponse:
    name = request.GET.get("table", "")
    if request.GET.get("format") != "csv" or name not in TABLES:
        raise Http404("No such export.")
    if not form.is_valid():
        problems = " ".join(str(message) for field in form.errors.values() for message in field)
        return HttpResponseBadRequest(problems, content_type="text/plain; charset=utf-8")
    filters = form.filters()
    table = dashboard_tables(user=request.user, filters=filters, names=[name])[name]
    dashboard_export_record(user=request.user, table=name, filters=filters, ip=client_ip(request))
    lookup_note(
        request,
        kind=LookupKind.EXPORT,
        object_ref=f"dashboard:{name}",
        query=request.GET.urlencode(),
        result_count=len(table.rows),
    )
    return csv_response(table, filters)


def _query(filters: DashboardFilters, **extra: str) -> str:
    params = {"from": filters.start.isoformat(), "to": filters.end.isoformat()}
    if filters.incident_type:
        params["type"] = filters.incident_type
    return urlencode({**params, **extra})


def _search_link(filters: DashboardFilters) -> Callable[[str], str]:
    """A state's search over the period and type the map counted, whatever the reports' status
    (the queue would show only the open ones)."""
    search = reverse("search:search")
    extra = {"received_from": filters.start.isoformat(), "received_to": filters.end.isoformat()}
    if filters.incident_type:
        extra["incident_type"] = filters.incident_type
    return lambda code: f"{search}?{urlencode({'state': code, **extra})}"


def _page(filters: DashboardFilters, tables: dict[str, Table]) -> dict[str, Any]:
    by_state = tables["reports_by_state"]
    counts = [(str(code), str(name), int(n or 0)) for name, code, n in by_state.rows]
    sections = [
        {"table": tables[name], "csv": "?" + _query(filters, format="csv", table=name)}
        for name in CHART_STYLES
    ]
    return {
        "form": DashboardFilterForm(
            initial={"from": filters.start, "to": filters.end, "type": filters.incident_type}
        ),
        "filters": filters,
        "map": choropleth(counts, _search_link(filters)),
        "by_state": by_state,
        "by_state_csv": "?" + _query(filters, format="csv", table="reports_by_state"),
        "sections": sections,
        "charts": chart_specs(tables),
    }
