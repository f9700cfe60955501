"""Queue pages and triage actions. Thin: parse, authorise, call a service, respond."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tipline.accounts.models import User
from tipline.common.http import client_ip
from tipline.reports.models import Report
from tipline.reports.selectors import report_get_for_user, reports_visible_to
from tipline.triage import services
from tipline.triage.forms import BulkForm, QueueFilterForm
from tipline.triage.selectors import QueueFilters, is_overdue, overdue_for_user, queue_for_user


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """One queue per command (or national), P1 first, then oldest; with filters."""
    form = QueueFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = QueueFilters(**{k: v for k, v in data.items() if v})
    reports = list(queue_for_user(user=request.user, filters=filters))
    rows = [(r, is_overdue(r)) for r in reports]
    return render(request, "triage/queue.html", {"form": form, "rows": rows, "bulk": BulkForm()})


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    """Reports past their SLA in the user's scope (all commands for a national supervisor)."""
    return render(request, "triage/overdue.html", {"reports": overdue_for_user(user=request.user)})


def _assignee(request: HttpRequest, username: str) -> User:
    found = User.objects.filter(username=username, is_active=True).first()
    if found is None:
        raise ValidationError(f"No active user {username!r}.")
    return found


def _other_report(request: HttpRequest, reference: str) -> Report:
    try:
        return report_get_for_user(user=request.user, reference=reference.strip())
    except Http404:
        raise ValidationError(f"No report {reference!r} in your scope.") from None


def _action(request: HttpRequest, form: BulkForm) -> Callable[[Report], Any]:
    data, actor, ip = form.cleaned_data, request.user, client_ip(request)
    if data["action"] == "assign":
        assignee = _assignee(request, data["assignee"] or request.user.get_username())
        return partial(_assign, assignee=assignee, actor=actor, ip=ip)
    if data["action"] == "duplicate":
        original = _other_report(request, data["duplicate_of"])
        return lambda r: services.report_close(
            report=r,
            reason="duplicate",
            actor=actor,
            duplicate_of=original,
            note=data["note"],
            ip=ip,
        )
    if data["action"] == "close":
        return lambda r: services.report_close(
            report=r, reason=data["reason"], actor=actor, note=data["note"], ip=ip
        )
    return lambda r: services.report_change_priority(
        report=r, priority=data["priority"], reason=data["note"], actor=actor
    )


def _assign(report: Report, *, assignee: User, actor: Any, ip: str | None) -> Report:
    return services.report_assign(report=report, assignee=assignee, actor=actor, ip=ip)


def _report_outcomes(request: HttpRequest, outcomes: list[services.BulkOutcome]) -> None:
    done = [o.reference for o in outcomes if o.ok]
    if done:
        messages.success(request, f"Done: {', '.join(done)}")
    for failed in (o for o in outcomes if not o.ok):
        messages.error(request, f"{failed.reference}: {failed.message}")


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Apply one action to the selected reports (or to one, from its own page)."""
    form = BulkForm(request.POST)
    back = request.POST.get("next") or reverse("triage:queue")
    if not form.is_valid():
        messages.error(request, "Choose an action and what it needs.")
        return HttpResponseRedirect(back)
    visible = reports_visible_to(request.user)
    refs = request.POST.getlist("references")
    reports = list(visible.filter(reference__in=refs))
    if len(reports) != len(set(refs)) or not reports:
        raise Http404("No such report.")
    try:
        action = _action(request, form)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return HttpResponseRedirect(back)
    _report_outcomes(request, services.bulk_apply(reports=reports, action=action))
    return HttpResponseRedirect(back)
