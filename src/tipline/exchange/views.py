"""Exchange pages, framed by the console at /console/exchange/: dead letters with replay, a
report's or a case's referral (choose a partner, preview exactly what goes, send, see it
delivered), and the national desk's two actions on a travel notice's feedback to its sender
(send the latest outcome now, re-send a failed delivery), shown on the notice's page. Thin:
authorise with the selectors' one rule, call one service, say what happened."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tipline.accounts.types import StaffRequest
from tipline.common.http import client_ip
from tipline.exchange.choices import PartnerKind
from tipline.exchange.forms import ShareForm
from tipline.exchange.models import Partner
from tipline.exchange.packages import SharingRefused, case_level, exchange_package_for
from tipline.exchange.selectors import (
    active_partners,
    case_for_exchange,
    dead_letters,
    delivery_get_for_user,
    exchange_check_user,
    notice_delivery_for_feedback,
    notice_for_feedback,
    partner_answering,
    pending_requests,
    report_for_exchange,
    requests_waiting,
    shares_of_case,
    shares_of_report,
)
from tipline.exchange.services import (
    case_share,
    ncmec_forward,
    notice_outcome_send,
    report_share,
    webhook_replay,
)
from tipline.reports.models import Report
from tipline.triage.models import Referral


@login_required
def overview(request: StaffRequest) -> HttpResponse:
    """Partners and the dead-letter list, each letter with a replay button."""
    exchange_check_user(user=request.user)
    context = {
        "partners": active_partners(),
        "dead": dead_letters()[:200],
        "waiting": requests_waiting(user=request.user),
    }
    return render(request, "exchange/overview.html", context)


@login_required
@require_POST
def replay(request: StaffRequest, event_id: str) -> HttpResponse:
    """Queue a dead letter again."""
    delivery = delivery_get_for_user(user=request.user, event_id=event_id)
    try:
        webhook_replay(delivery=delivery, actor=request.user, ip=client_ip(request))
        messages.success(request, f"{delivery.event_id} queued again for {delivery.partner.name}.")
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return HttpResponseRedirect(reverse("exchange:overview"))


@login_required
def report_refer(request: StaffRequest, reference: str) -> HttpResponse:
    """Choose a partner, see exactly what it would receive, and what went before."""
    report = report_for_exchange(user=request.user, reference=reference)
    partners = list(active_partners())
    requests = list(pending_requests(report=report))
    partner = _chosen(request.GET.get("partner"), partners, requests)
    preview, refused = None, ""
    if partner is not None:
        try:
            preview = json.dumps(exchange_package_for(partner=partner, report=report), indent=2)
        except SharingRefused as exc:
            refused = "; ".join(exc.messages)
    context = {
        "report": report,
        "partners": partners,
        "partner": partner,
        "requests": requests,
        "forwarding": bool(settings.EXCHANGE_NCMEC_URL)
        and partner is not None
        and partner.kind == PartnerKind.NCMEC,
        "preview": preview,
        "refused": refused,
        "shares": shares_of_report(report=report),
    }
    return render(request, "exchange/report_refer.html", context)


def _chosen(code: str | None, partners: list[Partner], requests: list[Referral]) -> Partner | None:
    """The partner asked for; on arrival, the one answering the oldest referral asked for in
    triage, so its preview is the first thing seen."""
    if code is not None:
        return next((p for p in partners if p.code == code), None)
    for request in requests:
        answering = partner_answering(queue_code=request.partner.code, partners=partners)
        if answering is not None:
            return answering
    return None


@login_required
def case_refer(request: StaffRequest, case_reference: str) -> HttpResponse:
    """Choose a partner, see exactly what it would receive of the case, and what went before."""
    case = case_for_exchange(user=request.user, reference=case_reference)
    partner = active_partners().filter(code=request.GET.get("partner", "")).first()
    preview, refused = None, ""
    if partner is not None:
        try:
            preview = json.dumps(exchange_package_for(partner=partner, case=case), indent=2)
        except SharingRefused as exc:
            refused = "; ".join(exc.messages)
    context = {
        "case": case,
        "level": case_level(case),
        "partners": active_partners(),
        "partner": partner,
        "preview": preview,
        "refused": refused,
        "shares": shares_of_case(case=case),
    }
    return render(request, "exchange/case_refer.html", context)


@login_required
@require_POST
def case_send(request: StaffRequest, case_reference: str) -> HttpResponse:
    """Send the previewed case package: a share, audited and on the case's timeline."""
    case = case_for_exchange(user=request.user, reference=case_reference)
    chosen = _partner_sent_to(request)
    if chosen is None:
        messages.error(request, "Choose a partner.")
    else:
        partner, reason = chosen
        try:
            case_share(
                case=case,
                partner=partner,
                actor=request.user,
                reason=reason,
                ip=client_ip(request),
            )
            messages.success(request, f"Sent to {partner.name}; delivery status below.")
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
    return HttpResponseRedirect(reverse("exchange:case", args=[case_reference]))


@login_required
@require_POST
def report_send(request: StaffRequest, reference: str) -> HttpResponse:
    """Send the previewed package: a share, audited, and a `referral.created` webhook."""
    report = report_for_exchange(user=request.user, reference=reference)
    chosen = _partner_sent_to(request)
    if chosen is None:
        messages.error(request, "Choose a partner.")
    else:
        _send(request, report, *chosen)
    return HttpResponseRedirect(reverse("exchange:report", args=[reference]))


@login_required
@require_POST
def report_forward(request: StaffRequest, reference: str) -> HttpResponse:
    """Forward the report to NCMEC's CyberTipline (the previewed NCMEC package, as an ESP)."""
    report = report_for_exchange(user=request.user, reference=reference)
    chosen = _partner_sent_to(request)
    if chosen is None:
        messages.error(request, "Choose NCMEC.")
    else:
        partner, _ = chosen
        try:
            share = ncmec_forward(
                report=report, partner=partner, actor=request.user, ip=client_ip(request)
            )
            messages.success(request, f"NCMEC took it: {share.reason}.")
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
    return HttpResponseRedirect(reverse("exchange:report", args=[reference]))


def _partner_sent_to(request: StaffRequest) -> tuple[Partner, str] | None:
    """The active partner and the reason a send form names; None when it names no partner."""
    form = ShareForm(request.POST)
    partner = active_partners().filter(code=form.data.get("partner", "")).first()
    if not form.is_valid() or partner is None:
        return None
    return partner, form.cleaned_data["reason"]


def _send(request: StaffRequest, report: Report, partner: Partner, reason: str) -> None:
    try:
        report_share(
            report=report,
            partner=partner,
            actor=request.user,
            reason=reason,
            ip=client_ip(request),
        )
        messages.success(request, f"Sent to {partner.name}; delivery status below.")
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))


def _notice_page(reference: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("travellers:notice", args=[reference]) + "#feedback")


@login_required
@require_POST
def notice_send(request: StaffRequest, notice_reference: str) -> HttpResponse:
    """Send the notice's latest outcome to its sending partner (once: again sends nothing)."""
    notice = notice_for_feedback(user=request.user, reference=notice_reference)
    try:
        share = notice_outcome_send(notice=notice, actor=request.user, ip=client_ip(request))
        if share is None:
            messages.info(request, "That outcome was sent to the sender before.")
        else:
            messages.success(request, f"Outcome sent to {share.partner.name}.")
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return _notice_page(notice.reference)


@login_required
@require_POST
def notice_resend(request: StaffRequest, notice_reference: str, event_id: str) -> HttpResponse:
    """Queue a failed delivery of the notice's outcome again (the exchange's dead-letter replay,
    for the national desk, from the notice's page)."""
    notice = notice_for_feedback(user=request.user, reference=notice_reference)
    delivery = notice_delivery_for_feedback(notice=notice, event_id=event_id)
    try:
        webhook_replay(delivery=delivery, actor=request.user, ip=client_ip(request))
        messages.success(request, f"{delivery.event_id} queued again for {delivery.partner.name}.")
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return _notice_page(notice.reference)
