"""The analyst console's home (the reports a user may see) and their notifications. Each
report's page is the reports app's own (`reports/views.py`); the console frames it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tipline.accounts.types import StaffRequest
from tipline.common.paging import PageRequest, keyset_page
from tipline.reports.selectors import REPORT_LIST_ORDER, report_list_for_user
from tipline.triage.selectors import notifications_for_user
from tipline.triage.services import notifications_mark_read


@login_required
def report_list(request: StaffRequest) -> HttpResponse:
    """Reports routed to the user's commands (or all, for national users), newest first."""
    qs = report_list_for_user(user=request.user)
    page = keyset_page(qs, order=REPORT_LIST_ORDER, request=PageRequest.from_query(request.GET))
    return render(request, "console/report_list.html", {"page": page})


@login_required
def notifications(request: StaffRequest) -> HttpResponse:
    """The user's newest notifications, unread first in weight (bold), newest first in order."""
    rows = notifications_for_user(user=request.user)
    return render(request, "console/notifications.html", {"notifications": rows})


@login_required
@require_POST
def notifications_read(request: StaffRequest) -> HttpResponse:
    """Mark the user's own notifications read: all, or the ones posted as `ids`."""
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()] or None
    count = notifications_mark_read(user=request.user, ids=ids)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
    return HttpResponseRedirect(reverse("console:notifications"))
