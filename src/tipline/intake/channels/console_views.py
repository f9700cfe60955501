"""The console's page of a phone report's reporter: ask a question by SMS or WhatsApp."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from tipline.accounts.types import StaffRequest
from tipline.common.http import client_ip
from tipline.intake.channels.forms import FollowUpForm
from tipline.intake.channels.models import FollowUp
from tipline.intake.channels.services import FollowUpRefused, follow_up_ask
from tipline.reports.selectors import report_detail_for_user


@login_required
@require_http_methods(["GET", "POST"])
def follow_up(request: StaffRequest, reference: str) -> HttpResponse:
    """The questions asked of a report's reporter, and a form to ask another."""
    report = report_detail_for_user(user=request.user, reference=reference)  # 404 outside scope
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            follow_up_ask(
                report=report,
                question=form.cleaned_data["question"],
                actor=request.user,
                ip=client_ip(request),
            )
        except FollowUpRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Question queued; it leaves with the next worker turn.")
            return HttpResponseRedirect(reverse("channels_console:follow_up", args=[reference]))
    context = {
        "report": report,
        "form": form,
        "follow_ups": FollowUp.objects.filter(report=report)
        .select_related("asked_by")
        .order_by("-asked_at"),
    }
    status = 400 if form.errors else 200
    return render(request, "intake/channels/follow_up.html", context, status=status)
