"""Queue pages and triage actions. Thin: parse, authorise, call a service, respond."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tipline.accounts.models import User
from tipline.accounts.types import StaffRequest
from tipline.common.http import client_ip, safe_next
from tipline.common.paging import PageRequest, keyset_page
from tipline.reports.models import Report
from tipline.reports.selectors import report_get_for_user, reports_visible_to
from tipline.triage import services
from tipline.triage.exports import reports_export_response
from tipline.triage.forms import BulkForm, EscalateForm, NoteForm, QueueFilterForm, ReferForm
from tipline.triage.selectors import (
    QUEUE_ORDER,
    QueueFilters,
    escalation_get_for_user,
    is_overdue,
    open_escalations_for_user,
    overdue_for_user,
    partner_queues,
    queue_for_user,
)


@login_required
def queue(request: StaffRequest) -> HttpResponse:
    """One queue per command (or national), P1 first, then oldest; with filters, paged.

    A filter that does not validate is shown as an error with no rows, never dropped: a list
    that looks filtered but is not misleads more than an empty one. `?format=csv` exports the
    filtered queue (audited).
    """
    form = QueueFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        context: dict[str, Any] = {"form": form, "page": None, "rows": [], "bulk": BulkForm()}
        return render(request, "triage/queue.html", context, status=400)
    data = form.cleaned_data if form.is_bound else {}
    filters = QueueFilters(**{k: v for k, v in data.items() if v})
    qs = queue_for_user(user=request.user, filters=filters)
    if request.GET.get("format") == "csv":
        return reports_export_response(request, qs, source="queue", criteria=data)
    page = keyset_page(qs, order=QUEUE_ORDER, request=PageRequest.from_query(request.GET))
    rows = [(r, is_overdue(r)) for r in page.rows]
    context = {"form": form, "page": page, "rows": rows, "bulk": BulkForm()}
    return render(request, "triage/queue.html", context)


@login_required
def overdue(request: StaffRequest) -> HttpResponse:
    """Reports past their SLA in the user's scope (all commands for a national supervisor)."""
    context = {
        "reports": overdue_for_user(user=request.user),
        "escalations": open_escalations_for_user(user=request.user),
    }
    return render(request, "triage/overdue.html", context)


def _assignee(request: StaffRequest, username: str) -> User:
    found = User.objects.filter(username=username, is_active=True).first()
    if found is None:
        raise ValidationError(f"No active user {username!r}.")
    return found


def _other_report(request: StaffRequest, reference: str) -> Report:
    try:
        return report_get_for_user(user=request.user, reference=reference.strip())
    except Http404:
        raise ValidationError(f"No report {reference!r} in your scope.") from None


def _action(request: StaffRequest, form: BulkForm) -> Callable[[Report], Any]:
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


def _assign(report: Report, *, assignee: User, actor: User, ip: str | None) -> Report:
    return services.report_assign(report=report, assignee=assignee, actor=actor, ip=ip)


def _report_outcomes(request: StaffRequest, outcomes: list[services.BulkOutcome]) -> None:
    done = [o.reference for o in outcomes if o.ok]
    if done:
        messages.success(request, f"Done: {', '.join(done)}")
    for failed in (o for o in outcomes if not o.ok):
        messages.error(request, f"{failed.reference}: {failed.message}")


@login_required
@require_POST
def bulk(request: StaffRequest) -> HttpResponse:
    """Apply one action to the selected reports (or to one, from its own page)."""
    form = BulkForm(request.POST)
    back = _back(request)
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


def _back(request: StaffRequest) -> str:
    """Where to return after an action: the page it came from, if it is one of ours."""
    return safe_next(request, request.POST.get("next"), reverse("triage:queue"))


def _report_action(
    request: StaffRequest,
    reference: str,
    form: forms.Form,
    invalid: str,
    work: Callable[[Report, dict[str, Any], str | None], str],
) -> HttpResponse:
    """The shape of every report-page action: scope, validate, call the service, say how it went.

    `work(report, cleaned_data, ip)` calls one service and returns the success message.
    """
    report = report_get_for_user(user=request.user, reference=reference)
    if not form.is_valid():
        messages.error(request, invalid)
    else:
        try:
            messages.success(request, work(report, form.cleaned_data, client_ip(request)))
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
    return HttpResponseRedirect(reverse("console:report", args=[reference]))


@login_required
@require_POST
def add_note(request: StaffRequest, reference: str) -> HttpResponse:
    """Add a note to a report in the user's scope."""

    def work(report: Report, data: dict[str, Any], ip: str | None) -> str:
        services.report_add_note(report=report, body=data["body"], actor=request.user, ip=ip)
        return "Note added."

    form = NoteForm(request.POST)
    return _report_action(
        request, reference, form, "Write the note (at most 5000 characters).", work
    )


@login_required
@require_POST
def refer(request: StaffRequest, reference: str) -> HttpResponse:
    """Record a referral of the report to a partner queue."""

    def work(report: Report, data: dict[str, Any], ip: str | None) -> str:
        partner = partner_queues().filter(code=data["partner"]).first()
        if partner is None:
            raise ValidationError("Choose one of the partner queues.")
        services.report_refer(
            report=report, partner=partner, reason=data["reason"], actor=request.user, ip=ip
        )
        # A liaison officer sends it from the exchange, after previewing what the partner gets.
        return f"Referral to {partner.name} asked for; a partner liaison officer sends it."

    form = ReferForm(request.POST)
    return _report_action(request, reference, form, "Choose a partner and say why.", work)


@login_required
@require_POST
def escalate(request: StaffRequest, reference: str) -> HttpResponse:
    """Ask a supervisor to look at the report now."""

    def work(report: Report, data: dict[str, Any], ip: str | None) -> str:
        services.report_escalate(report=report, reason=data["reason"], actor=request.user, ip=ip)
        return "Escalated to the supervisors."

    form = EscalateForm(request.POST)
    return _report_action(request, reference, form, "Say why the report is escalated.", work)


@login_required
@require_POST
def acknowledge(request: StaffRequest, pk: int) -> HttpResponse:
    """A supervisor acknowledges an escalation."""
    escalation = escalation_get_for_user(user=request.user, pk=pk)
    ip = client_ip(request)
    try:
        services.escalation_acknowledge(escalation=escalation, actor=request.user, ip=ip)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, f"Escalation of {escalation.report.reference} acknowledged.")
    return HttpResponseRedirect(reverse("triage:overdue"))
