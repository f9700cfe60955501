"""Reads of reports, and the one access check for the report kind."""

from __future__ import annotations

import hmac

from django.db.models import Q, QuerySet
from django.http import Http404

from tipline.accounts.models import ApiClient
from tipline.accounts.selectors import command_ids_for
from tipline.accounts.types import Viewer
from tipline.common import ids
from tipline.reports.models import Report


def reports_visible_to(user: Viewer) -> QuerySet[Report]:
    """Reports a staff user may see: all for national users, else those routed to their commands.

    A report not yet routed is only visible nationally: the pipeline has not decided whose it is.
    """
    qs = Report.objects.all()
    scope = command_ids_for(user)
    if scope is None:
        return qs
    return qs.filter(Q(routed_command_id__in=scope))


def report_get_for_user(*, user: Viewer, reference: str) -> Report:
    """One report by reference, if the user may see it. Missing and forbidden both raise 404."""
    try:
        return reports_visible_to(user).get(reference=reference)
    except Report.DoesNotExist:
        raise Http404("No such report.") from None


# The report list's order, ending in the primary key so keyset pages are total.
REPORT_LIST_ORDER = ["-received_at", "-pk"]


def report_list_for_user(*, user: Viewer) -> QuerySet[Report]:
    """Newest first, with what the list page shows loaded in one query (page it by
    REPORT_LIST_ORDER)."""
    return (
        reports_visible_to(user)
        .select_related("routed_command", "state")
        .order_by(*REPORT_LIST_ORDER)
    )


def report_detail_for_user(*, user: Viewer, reference: str) -> Report:
    """A report with all its parts prefetched, scoped like `report_get_for_user`."""
    qs = reports_visible_to(user).select_related(
        "routed_command", "state", "api_client", "assigned_to"
    )
    qs = qs.prefetch_related("people", "internet_details", "files", "addenda")
    try:
        return qs.get(reference=reference)
    except Report.DoesNotExist:
        raise Http404("No such report.") from None


def report_for_api_client(*, client: ApiClient, reference: str) -> Report:
    """A report as its submitting client sees it; anyone else's is a 404."""
    try:
        return Report.objects.select_related("routed_command").get(
            reference=reference, api_client=client
        )
    except Report.DoesNotExist:
        raise Http404("No such report.") from None


def report_for_receipt(*, reference: str, receipt_code: str) -> Report | None:
    """The report whose reference and receipt code both match, else None (no hint which failed)."""
    report = Report.objects.filter(reference=reference.strip().upper()).first()
    if report is None:
        ids.receipt_hash(receipt_code)  # same work either way, so timing does not tell
        return None
    candidate = ids.receipt_hash(receipt_code)
    return report if hmac.compare_digest(candidate, report.receipt_hash) else None
