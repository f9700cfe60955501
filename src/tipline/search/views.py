"""The console's search page. Thin: parse the form, call one selector, render."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from tipline.accounts.types import StaffRequest
from tipline.audit.lookups import lookup_note
from tipline.audit.models import LookupKind
from tipline.reports.models import Report
from tipline.search.forms import SearchForm
from tipline.search.selectors import (
    Period,
    SearchPage,
    lookup_hash,
    parse_query,
    reports_matching,
    search_results,
)
from tipline.triage.exports import reports_export_response
from tipline.triage.selectors import QueueFilters


def _wants_partial(request: StaffRequest) -> bool:
    """htmx swaps in the results alone; a history restore needs the whole page."""
    return "HX-Request" in request.headers and "HX-History-Restore-Request" not in request.headers


def _note_search(request: StaffRequest, results: SearchPage) -> None:
    """Record what was asked and how much came back: a page past the last seen counts as "more"."""
    known = results.total if results.total is not None else results.end_index
    more = results.capped or results.limited or (results.total is None and results.has_next)
    lookup_note(
        request,
        kind=LookupKind.SEARCH,
        object_ref=results.query.reference,
        identifier_hash=lookup_hash(results.query),
        query=results.query.text,
        result_count=known,
        result_more=more,
    )


def _export(
    request: StaffRequest,
    query: str,
    filters: QueueFilters,
    period: Period,
    *,
    criteria: dict[str, Any],
) -> HttpResponse:
    """Every result of the search (up to the export cap) as CSV, audited with the query."""
    found = reports_matching(
        user=request.user, query=parse_query(query), filters=filters, period=period
    )
    # A fresh query by id: the search's own query defers what its result rows do not show.
    ordered = Report.objects.filter(pk__in=found.values("pk")).order_by("-received_at", "-pk")
    return reports_export_response(
        request, ordered, source="search", criteria={"q": query, **criteria}
    )


@login_required
@require_GET
def search(request: StaffRequest) -> HttpResponse:
    """Search the reports in the user's scope; the results are paginated, 50 a page."""
    form = SearchForm(request.GET or None)
    results, filters, period = None, QueueFilters(), Period()
    if form.is_valid():
        data = dict(form.cleaned_data)
        query, page = data.pop("q"), data.pop("page") or 1
        period = Period(data.pop("received_from"), data.pop("received_to"))
        filters = QueueFilters(**{k: v for k, v in data.items() if v})
        if request.GET.get("format") == "csv":
            return _export(request, query, filters, period, criteria=data)
        results = search_results(
            user=request.user, query=query, filters=filters, period=period, page=page
        )
        _note_search(request, results)
    template = "search/_results.html" if _wants_partial(request) else "search/search.html"
    context = {
        "form": form,
        "results": results,
        "filtered": filters != QueueFilters() or bool(period),
        "display_tz": settings.DISPLAY_TIME_ZONE,
    }
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
