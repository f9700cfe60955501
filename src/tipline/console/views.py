"""The analyst console's home: the reports a user may see. Each report's page is the reports
app's own (`reports/views.py`); the console frames it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tipline.reports.selectors import report_list_for_user


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    """Reports routed to the user's commands (or all, for national users), newest first."""
    reports = report_list_for_user(user=request.user)
    return render(request, "console/report_list.html", {"reports": reports})
