"""Case pages of the casework: a victim's HTCDS context, referrals and outcomes, legal
requests, the HTCDS export and the supervisors' case dashboard. Thin like the rest: parse,
authorise with `case_get_for_user`, call one service, say what happened."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from tipline.accounts.choices import NATIONAL_ROLES
from tipline.accounts.types import StaffRequest
from tipline.cases import forms
from tipline.cases.choices import (
    LEGAL_TRANSITIONS,
    LegalRequestStatus,
)
from tipline.cases.export import htcds_export_write
from tipline.cases.forms import PERIODS
from tipline.cases.models import Case, CaseInvolvement
from tipline.cases.pdf import legal_request_pdf
from tipline.cases.selectors import (
    case_get_for_user,
    case_identifiers,
    case_involvement_get,
    cases_visible_to,
    legal_request_get,
    legal_request_overdue,
    organisation_get,
    today_wat,
    victim_movement_get,
)
from tipline.cases.services import legal, support, victims
from tipline.cases.stats import StatTable, case_dashboard_tables
from tipline.cases.views import _case_action, _legal_page, form_action, person_action
from tipline.common.http import client_ip

# Victim context --------------------------------------------------------------------------------


@login_required
@require_POST
def victim_context(request: StaffRequest, case_reference: str, involvement_id: int) -> HttpResponse:
    """Record a victim's HTCDS context (status, recruitment, control, exploitation...)."""

    def act(request: StaffRequest, involvement: CaseInvolvement, data: dict[str, Any]) -> str:
        victims.victim_context_save(
            involvement=involvement,
            data=victims.VictimContextInput(**data),
            actor=request.user,
            ip=client_ip(request),
        )
        return "Victim context recorded."

    return person_action(request, case_reference, involvement_id, forms.VictimContextForm, act)


@login_required
@require_POST
def victim_movement_add(
    request: StaffRequest, case_reference: str, involvement_id: int
) -> HttpResponse:
    """Add a place of recruitment, transit or exploitation."""

    def act(request: StaffRequest, involvement: CaseInvolvement, data: dict[str, Any]) -> str:
        victims.victim_movement_add(
            involvement=involvement,
            data=victims.MovementInput(**data),
            actor=request.user,
            ip=client_ip(request),
        )
        return "Place added."

    return person_action(request, case_reference, involvement_id, forms.MovementForm, act)


@login_required
@require_POST
def victim_movement_remove(
    request: StaffRequest, case_reference: str, involvement_id: int, movement_id: int
) -> HttpResponse:
    """Take back a place entered in error."""

    def act(request: StaffRequest, involvement: CaseInvolvement, data: dict[str, Any]) -> str:
        movement = victim_movement_get(involvement=involvement, movement_id=movement_id)
        victims.victim_movement_remove(movement=movement, actor=request.user, ip=client_ip(request))
        return "Place removed."

    return person_action(request, case_reference, involvement_id, Form, act)


@login_required
@require_POST
def case_person_details(
    request: StaffRequest, case_reference: str, involvement_id: int
) -> HttpResponse:
    """Record a person's HTCDS details (salutation, gender, citizenship, address...)."""

    def act(request: StaffRequest, involvement: CaseInvolvement, data: dict[str, Any]) -> str:
        data["citizenship"] = forms.split_words(data["citizenship"])
        victims.case_person_details_save(
            involvement=involvement,
            data=victims.PersonDetailsInput(**data),
            actor=request.user,
            ip=client_ip(request),
        )
        return "Details recorded."

    return person_action(request, case_reference, involvement_id, forms.PersonDetailsForm, act)


# Referrals and outcomes ------------------------------------------------------------------------


def _referral(request: StaffRequest, case: Case, data: dict[str, Any]) -> str:
    involvement = case_involvement_get(case=case, involvement_id=data.pop("person"))
    data["organisation"] = organisation_get(organisation_id=data["organisation"])
    referral = support.referral_record(
        involvement=involvement,
        data=support.ReferralInput(**data),
        actor=request.user,
        ip=client_ip(request),
    )
    return f"{referral.get_direction_display()} referral recorded ({referral.organisation.name})."


@login_required
@require_POST
def case_referral_add(request: StaffRequest, case_reference: str) -> HttpResponse:
    """Record a victim's referral to a service or agency, or one made to us."""
    return _case_action(request, case_reference, forms.ReferralForm, _referral)


def _outcome(request: StaffRequest, case: Case, data: dict[str, Any]) -> str:
    involvement = case_involvement_get(case=case, involvement_id=data.pop("person"))
    data["offences"] = [line for line in data["offences"].splitlines() if line.strip()]
    outcome = support.outcome_record(
        involvement=involvement,
        data=support.OutcomeInput(**data),
        actor=request.user,
        ip=client_ip(request),
    )
    return f"{outcome.get_kind_display()} recorded."


@login_required
@require_POST
def case_outcome_add(request: StaffRequest, case_reference: str) -> HttpResponse:
    """Record a dated outcome: rescue, arrest, charge, conviction, acquittal, reunification..."""
    return _case_action(request, case_reference, forms.OutcomeForm, _outcome)


# The HTCDS export --------------------------------------------------------------------------------


@login_required
@never_cache
@require_GET
def htcds_export(request: StaffRequest) -> HttpResponse:
    """The HTCDS 2.0 CSV of every case (supervisors and administrators only; anyone else 404),
    identities only when asked for (`?identities=1`); audited."""
    if request.user.role not in NATIONAL_ROLES:
        raise Http404("No such page.")
    identities = request.GET.get("identities") == "1"
    buffer = io.StringIO()
    rows = htcds_export_write(
        cases=cases_visible_to(request.user), target=buffer, identities=identities
    )
    support.htcds_export_record(
        actor=request.user, rows=rows, identities=identities, scope="console", ip=client_ip(request)
    )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="tipline-htcds-2.0.csv"'
    return response


# Legal process ---------------------------------------------------------------------------------


def _draft(request: StaffRequest, case: Case, form: forms.LegalRequestForm) -> HttpResponse | None:
    try:
        identifier_kind, value = form.identifier()
        drafted = legal.legal_request_draft(
            case=case,
            kind=form.cleaned_data["kind"],
            identifier_kind=identifier_kind,
            value=value,
            holder=form.cleaned_data["holder"],
            actor=request.user,
            ip=client_ip(request),
        )
    except ValidationError as exc:
        form.add_error(None, "; ".join(exc.messages))
        return None
    messages.success(request, f"{drafted.label} drafted to {drafted.holder}.")
    return HttpResponseRedirect(_legal_page(case, drafted.number))


@login_required
def legal_request_new(request: StaffRequest, case_reference: str) -> HttpResponse:
    """Draft a preservation request or production order from an identifier of the case."""
    case = case_get_for_user(user=request.user, reference=case_reference)
    known = case_identifiers(case=case, user=request.user)
    form = forms.LegalRequestForm(request.POST or None, known=known)
    if request.method == "POST" and form.is_valid():
        done = _draft(request, case, form)
        if done is not None:
            return done
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/legal_new.html", {"case": case, "form": form}, status=status)


@login_required
def legal_request_detail(request: StaffRequest, case_reference: str, number: int) -> HttpResponse:
    """A request: its text, status and dates, its moves, and the answer's files."""
    case = case_get_for_user(user=request.user, reference=case_reference)
    legal_request = legal_request_get(case=case, number=number)
    moves = sorted(LEGAL_TRANSITIONS[legal_request.status])
    context = {
        "case": case,
        "legal_request": legal_request,
        "overdue": legal_request_overdue(legal_request),
        "moves": [(m, LegalRequestStatus(m).label) for m in moves],
        "returned": legal_request.returned_items.order_by("number"),
        "can_answer": legal_request.status in {"sent", "responded"},
    }
    return render(request, "cases/legal_request.html", context)


@login_required
def legal_request_download(request: StaffRequest, case_reference: str, number: int) -> HttpResponse:
    """The request as a PDF, to sign and send."""
    case = case_get_for_user(user=request.user, reference=case_reference)
    legal_request = legal_request_get(case=case, number=number)
    response = HttpResponse(legal_request_pdf(legal_request), content_type="application/pdf")
    filename = f"{case.reference}-{legal_request.label}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def legal_request_status(request: StaffRequest, case_reference: str, number: int) -> HttpResponse:
    """Mark a request sent (with its due date), answered, refused or withdrawn."""
    case = case_get_for_user(user=request.user, reference=case_reference)
    legal_request = legal_request_get(case=case, number=number)

    def act(data: dict[str, Any]) -> str:
        moved = legal.legal_request_transition(
            request=legal_request, actor=request.user, ip=client_ip(request), **data
        )
        return f"{moved.label} is now {moved.get_status_display().lower()}."

    form = forms.LegalMoveForm(request.POST)
    return form_action(request, form, act, _legal_page(case, number))


# The supervisors' case dashboard ---------------------------------------------------------------

# How each table is drawn by the dashboards' script (dashboards.js reads these specs).
CHARTS = {
    "open_cases": {"kind": "bar", "stacked": True, "horizontal": True},
    "referrals": {"kind": "bar", "stacked": True, "horizontal": False},
    "outcomes": {"kind": "bar", "stacked": False, "horizontal": False},
}


def _chart(table: StatTable) -> dict[str, Any]:
    last = len(table.columns) - 1 if table.columns[-1] == "Total" else len(table.columns)
    datasets = [
        {"label": table.columns[i], "data": [row[i] for row in table.rows]} for i in range(1, last)
    ]
    labels = [row[0] for row in table.rows]
    return {"name": table.name, **CHARTS[table.name], "labels": labels, "datasets": datasets}


def _stats_csv(table: StatTable, period: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"tipline-cases-{table.name}-{slugify(period)}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(table.columns)
    writer.writerows(table.rows)  # labels are our own vocabularies and command names
    return response


@login_required
@never_cache
@require_GET
def case_dashboard(request: StaffRequest) -> HttpResponse:
    """Supervisors' figures over the cases they may see (anyone else 404), over a period
    (`?period=30|90|365|all`); each table as CSV with `?format=csv&table=NAME` (audited)."""
    if request.user.role not in NATIONAL_ROLES:
        raise Http404("No such page.")
    data = request.GET.copy()
    data["period"] = data.get("period") or "all"  # shown chosen, not blank
    form = forms.DashboardPeriodForm(data)
    if not form.is_valid():
        return render(request, "cases/dashboard.html", {"form": form, "tables": []}, status=400)
    tables = case_dashboard_tables(user=request.user, since=form.since(today_wat()))
    period = dict(PERIODS)[form.cleaned_data["period"]]
    if request.GET.get("format") == "csv":
        table = tables.get(request.GET.get("table", ""))
        if table is None:
            raise Http404("No such table.")
        support.case_dashboard_export_record(
            actor=request.user, table=table.name, period=slugify(period), ip=client_ip(request)
        )
        return _stats_csv(table, period)
    charts = [_chart(t) for t in tables.values() if t.name in CHARTS]
    context = {"form": form, "period": period, "tables": list(tables.values()), "charts": charts}
    context["query"] = urlencode({"period": form.cleaned_data["period"]})
    return render(request, "cases/dashboard.html", context)
