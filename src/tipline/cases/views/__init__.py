"""Case pages, framed by the console at /console/cases/. Thin: parse, authorise with
`case_get_for_user`, call one service, say what happened."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form, model_to_dict
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from tipline.accounts.choices import NATIONAL_ROLES
from tipline.accounts.models import User
from tipline.accounts.selectors import command_ids_for
from tipline.accounts.types import StaffRequest
from tipline.cases import forms, services
from tipline.cases.bundle import bundle_write
from tipline.cases.choices import (
    ALLOWED_TRANSITIONS,
    MASKED_ROLES,
    CaseStatus,
    CourtOutcome,
    PersonRole,
)
from tipline.cases.models import Case, CaseInvolvement, CasePerson
from tipline.cases.selectors import (
    CASE_LIST_ORDER,
    CaseFilters,
    case_evidence,
    case_get_for_user,
    case_involvement_get,
    case_legal_requests,
    case_list_for_user,
    case_outcomes,
    case_people,
    case_person_get_for_user,
    case_referrals,
    case_reports_for_user,
    case_task_get,
    case_tasks,
    case_timeline,
    evidence_get,
    legal_request_get,
    open_tasks_for_user,
    organisations_in_use,
    person_candidates_for_user,
    report_files_for_case,
    report_people_for_case,
    report_person_for_case,
    today_wat,
    victim_context_of,
    victim_movements,
)
from tipline.cases.services import legal
from tipline.cases.uploads import ANSWER_ONLY_TYPES, EvidenceUploadHandler
from tipline.common.http import client_ip
from tipline.common.paging import PageRequest, keyset_page
from tipline.common.ratelimit import rate_limit_hit
from tipline.geo.models import RegionalCommand
from tipline.media.orphans import media_discard_unreferenced
from tipline.media.storage import StoredBlob
from tipline.media.uploads import EncryptedUpload, written_keys
from tipline.reports.models import Report
from tipline.reports.selectors import reports_visible_to


@login_required
def case_list(request: StaffRequest) -> HttpResponse:
    """The user's cases (all, for national users), most recently changed first, filtered and
    paged. A filter that does not validate shows an error and no rows, never a silent drop."""
    form = forms.CaseFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "cases/case_list.html", {"form": form, "page": None}, status=400)
    filters = CaseFilters(**form.cleaned_data) if form.is_bound else CaseFilters()
    qs = case_list_for_user(user=request.user, filters=filters)
    page = keyset_page(qs, order=CASE_LIST_ORDER, request=PageRequest.from_query(request.GET))
    context = {"form": form, "page": page, "can_export": request.user.role in NATIONAL_ROLES}
    return render(request, "cases/case_list.html", context)


@login_required
def my_tasks(request: StaffRequest) -> HttpResponse:
    """The user's open case tasks, soonest due first, overdue ones marked."""
    return render(request, "cases/my_tasks.html", {"rows": open_tasks_for_user(user=request.user)})


@login_required
def case_detail(request: StaffRequest, case_reference: str) -> HttpResponse:
    """The case: summary and status, team, reports, tasks, and its timeline newest first."""
    case = case_get_for_user(user=request.user, reference=case_reference)
    reports = list(case_reports_for_user(case=case, user=request.user))
    context = {
        "case": case,
        "team": case.members.order_by("username"),
        "reports": reports,
        "hidden_reports": case.case_reports.count() - len(reports),
        "tasks": case_tasks(case=case),
        "timeline": case_timeline(case=case),
        "moves": [(s, CaseStatus(s).label) for s in sorted(ALLOWED_TRANSITIONS[case.status])],
        "outcomes": CourtOutcome.choices,
        "task_form": forms.TaskForm(),
        "people": case_people(case=case),
        "masked_roles": MASKED_ROLES,
        "person_form": forms.PersonForm(),
        "report_people": report_people_for_case(case=case, user=request.user),
        "roles": PersonRole.choices,
        "evidence": case_evidence(case=case),
        "report_files": report_files_for_case(case=case, user=request.user),
        "physical_form": forms.PhysicalEvidenceForm(),
        "referrals": case_referrals(case=case),
        "case_outcomes": case_outcomes(case=case),
        "legal_requests": case_legal_requests(case=case),
        "organisations": organisations_in_use(),
        "referral_form": forms.ReferralForm(),
        "outcome_form": forms.OutcomeForm(),
        "custody_actions": forms.CustodyForm.base_fields["action"].choices,  # type: ignore[attr-defined]  # a ChoiceField
    }
    return render(request, "cases/case_detail.html", context)


def _user(username: str) -> User:
    found = User.objects.filter(username=username, is_active=True).first()
    if found is None:
        raise ValidationError(f"No active user {username!r}.")
    return found


def _visible_reports(request: StaffRequest, references: list[str]) -> list[Report]:
    found = {
        r.reference: r for r in reports_visible_to(request.user).filter(reference__in=references)
    }
    missing = [ref for ref in references if ref not in found]
    if missing:
        raise ValidationError(f"No report {', '.join(missing)} in your scope.")
    return [found[ref] for ref in dict.fromkeys(references)]


def _command(request: StaffRequest, code: str) -> RegionalCommand:
    command = RegionalCommand.objects.filter(code=code.strip().upper()).first()
    scope = command_ids_for(request.user)
    if command is None or (scope is not None and command.pk not in scope):
        raise ValidationError(f"No command {code!r} in your scope.")
    return command


def _open_from(request: StaffRequest, data: dict[str, Any]) -> Case:
    reports = _visible_reports(request, forms.split_words(data["reports"]))
    if data["cluster"]:
        cluster = reports_visible_to(request.user).filter(cluster_id=data["cluster"])
        reports += [r for r in cluster.order_by("pk") if r not in reports]
    return services.case_open(
        command=_command(request, data["command"]),
        lead=_user(data["lead"]) if data["lead"] else request.user,
        members=[_user(name) for name in forms.split_words(data["members"])],
        title=data["title"],
        summary=data["summary"],
        reports=reports,
        actor=request.user,
        ip=client_ip(request),
    )


def _open_initial(request: StaffRequest) -> dict[str, Any]:
    scope = command_ids_for(request.user)
    first = request.user.commands.first() if scope else None
    return {
        "reports": " ".join(request.GET.getlist("report")),
        "cluster": request.GET.get("cluster") or None,
        "command": first.code if first else "",
    }


@login_required
def case_open(request: StaffRequest) -> HttpResponse:
    """Open a case from reports (`?report=TL-…`, repeatable), a cluster (`?cluster=N`) or none."""
    if request.method != "POST":
        form = forms.CaseOpenForm(initial=_open_initial(request))
        return render(request, "cases/case_open.html", {"form": form})
    form = forms.CaseOpenForm(request.POST)
    if form.is_valid():
        try:
            case = _open_from(request, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Case {case.reference} opened.")
            return HttpResponseRedirect(reverse("cases:detail", args=[case.reference]))
    return render(request, "cases/case_open.html", {"form": form}, status=400)


# A staff member's uploads an hour: generous for real work, a ceiling for a stolen session.
EVIDENCE_UPLOADS_PER_HOUR = 200

Act = Callable[[StaffRequest, Case, dict[str, Any]], str]


def form_action(
    request: StaffRequest, form: Form, act: Callable[[dict[str, Any]], str], then: str
) -> HttpResponse:
    """Every form posted to a case page has this shape once its object is found in scope:
    validate, call one service, say what happened (or what was refused), go back to `then`."""
    if not form.is_valid():
        problems = (f"{name}: {' '.join(map(str, e))}" for name, e in form.errors.items())
        messages.error(request, "; ".join(problems))
    else:
        try:
            messages.success(request, act(form.cleaned_data))
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
    return HttpResponseRedirect(then)


def _case_action(
    request: StaffRequest, case_reference: str, form_class: type[Form], act: Act
) -> HttpResponse:
    """A case action: the case in scope, then `form_action` back to the case page."""
    case = case_get_for_user(user=request.user, reference=case_reference)
    then = reverse("cases:detail", args=[case.reference])
    return form_action(request, form_class(request.POST), lambda d: act(request, case, d), then)


def _status(request: StaffRequest, case: Case, data: dict[str, Any]) -> str:
    moved = services.case_transition(
        case=case,
        to=data["to"],
        reason=data["reason"],
        outcome=data["outcome"],
        actor=request.user,
        ip=client_ip(request),
    )
    return f"{moved.reference} is now {moved.get_status_display().lower()}."


@login_required
@require_POST
def case_status(request: StaffRequest, case_reference: str) -> HttpResponse:
    """Move the case to another status (over the table of allowed moves)."""
    return _case_action(request, case_reference, forms.TransitionForm, _status)


def _note(request: StaffRequest, case: Case, data: dict[str, Any]) -> str:
    services.case_add_note(case=case, body=data["body"], actor=request.user, ip=client_ip(request))
    return "Note added."


@login_required
@require_POST
def case_note(request: StaffRequest, case_reference: str) -> HttpResponse:
    """Add a note to the timeline."""
    return _case_action(request, case_reference, forms.NoteForm, _note)


def _report_add(request: StaffRequest, case: Case, data: dict[str, Any]) -> str:
    reports = _visible_reports(request, [data["reference"].strip().upper()])
    services.case_add_reports(case=case, reports=reports, actor=request.user, ip=client_ip(request))
    return f"{reports[0].reference} added."


@login_required
@require_POST
def case_report_add(request: StaffRequest, case_reference: str) -> HttpResponse:
    """Gather one more report (that the user may see) into the case."""
    return _case_action(request, case_reference, forms.ReferenceForm, _report_add)


def _report_remove(request: StaffRequest, case: Case, data: dict[str, Any]) -> str:
    report = _visible_reports(request, [data["reference"].strip().upper()])[0]
    services.case_remove_report(case=case, report=report, actor=request.user, ip=client_ip(request))
    return f"{report.reference} removed from the case."


@login_required
@require_POST
def case_report_remove(request: StaffRequest, case_reference: str) -> HttpResponse:
    """Take a report out of the case."""
    return _case_action(request, case_reference, forms.ReferenceForm, _report_remove)


def _member_add(request: StaffRequest, case: Case, data: dict[str, Any]) -> str:
    user = _user(data["username"])
    services.case_add_member(case=case, user=user, actor=request.user, ip=client_ip(request))
    return f"{user.username} joined the team."


@login_required
@require_POST
def case_member_add(request: StaffRequest, case_reference: str) -> HttpResponse:
    """Add a user of the case's command to the team."""
    return _case_action(request, case_reference, forms.MemberForm, _member_add)


def _member_remove(request: StaffRequest, case: Case, data: dict[str, Any]) -> str:
    user = _user(data["username"])
    services.case_remove_member(case=case, user=user, actor=request.user, ip=client_ip(request))
    return f"{user.username} left the team."


@login_required
@require_POST
def case_member_remove(request: StaffRequest, case_reference: str) -> HttpResponse:
    """Take a user off the team (never the lead)."""
    return _case_action(request, case_reference, forms.MemberForm, _member_remove)


def _task_add(request: StaffRequest, case: Case, data: dict[str, Any]) -> str:
    services.case_task_add(
        case=case,
        title=data["title"],
        assignee=_user(data["assignee"]),
        due_on=data["due_on"],
        actor=request.user,
        ip=client_ip(request),
    )
    return "Task added."


@login_required
@require_POST
def case_task_add(request: StaffRequest, case_reference: str) -> HttpResponse:
    """Give a team member a task with a due date."""
    return _case_action(request, case_reference, forms.TaskForm, _task_add)


@login_required
@require_POST
def case_task_done(request: StaffRequest, case_reference: str, task_id: int) -> HttpResponse:
    """Mark one of the case's tasks done."""
    case = case_get_for_user(user=request.user, reference=case_reference)
    task = case_task_get(case=case, task_id=task_id)

    def act(data: dict[str, Any]) -> str:
        services.case_task_complete(task=task, actor=request.user, ip=client_ip(request))
        return "Task done."

    then = reverse("cases:detail", args=[case.reference])
    if request.POST.get("next") == "tasks":  # done from the user's own task list
        then = reverse("cases:my_tasks")
    return form_action(request, Form(request.POST), act, then)


# People on a case ------------------------------------------------------------------------------


def _person_page(case: Case, involvement_id: int) -> str:
    return reverse("cases:person", args=[case.reference, involvement_id])


PersonAct = Callable[[StaffRequest, CaseInvolvement, dict[str, Any]], str]


def person_action(
    request: StaffRequest,
    case_reference: str,
    involvement_id: int,
    form_class: type[Form],
    act: PersonAct,
) -> HttpResponse:
    """An action on a case person: the case in scope and its person (else 404, before the form
    is read), then `form_action` back to the person's page (where a victim's names are hidden
    again)."""
    case = case_get_for_user(user=request.user, reference=case_reference)
    involvement = case_involvement_get(case=case, involvement_id=involvement_id)
    then = _person_page(case, involvement.pk)
    form = form_class(request.POST)
    return form_action(request, form, lambda d: act(request, involvement, d), then)


@login_required
@require_POST
def case_person_add(request: StaffRequest, case_reference: str) -> HttpResponse:
    """Add a person; their page then shows any look-alikes to merge or keep apart."""
    case = case_get_for_user(user=request.user, reference=case_reference)
    form = forms.PersonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(list(map(str, form.errors.values())))
        involvement = services.case_person_add(
            case=case,
            role=form.cleaned_data["role"],
            suspect_roles=form.cleaned_data["suspect_roles"],
            person=form.person(today_wat()),
            actor=request.user,
            ip=client_ip(request),
        )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return HttpResponseRedirect(reverse("cases:detail", args=[case.reference]))
    messages.success(request, "Person added. Check the look-alikes below.")
    return HttpResponseRedirect(_person_page(case, involvement.pk))


@login_required
@require_POST
def case_person_from_report(request: StaffRequest, case_reference: str) -> HttpResponse:
    """Add a person found in one of the case's reports, in one action."""
    case = case_get_for_user(user=request.user, reference=case_reference)
    form = forms.FromReportForm(request.POST)
    found = form.is_valid() and report_person_for_case(
        case=case, user=request.user, report_person_id=form.cleaned_data["report_person"]
    )
    if not found:
        messages.error(request, "Choose a person of one of the case's reports, and a role.")
        return HttpResponseRedirect(reverse("cases:detail", args=[case.reference]))
    involvement = services.case_person_from_report(
        case=case,
        report_person=found,
        role=form.cleaned_data["role"],
        actor=request.user,
        ip=client_ip(request),
    )
    messages.success(request, "Person added from the report. Check the look-alikes below.")
    return HttpResponseRedirect(_person_page(case, involvement.pk))


def _person_context(request: StaffRequest, case: Case, involvement_id: int) -> dict[str, Any]:
    involvement = case_involvement_get(case=case, involvement_id=involvement_id)
    candidates, hidden = person_candidates_for_user(user=request.user, person=involvement.person)
    return {
        "case": case,
        "involvement": involvement,
        "person": involvement.person,
        "masked": involvement.role in MASKED_ROLES,
        "candidates": candidates,
        "hidden_candidates": hidden,
        **_victim_context(involvement),
    }


def _victim_context(involvement: CaseInvolvement) -> dict[str, Any]:
    """The victim's HTCDS context as forms (codes only: nothing here names the person)."""
    if involvement.role != PersonRole.VICTIM:
        return {}
    context = victim_context_of(involvement=involvement)
    initial = model_to_dict(context) if context else {}
    return {
        "victim_context": context,
        "victim_form": forms.VictimContextForm(initial=initial),
        "movements": victim_movements(involvement=involvement),
        "movement_form": forms.MovementForm(),
    }


def _details_form(person: CasePerson) -> forms.PersonDetailsForm:
    address = person.mailing_address or {}
    initial = {
        "salutation": person.salutation,
        "job_title": person.job_title,
        "gender": person.gender,
        "citizenship": " ".join(person.citizenship or []),
        "home_phone": person.home_phone,
        **address,
    }
    return forms.PersonDetailsForm(initial=initial)


@login_required
def case_person(request: StaffRequest, case_reference: str, involvement_id: int) -> HttpResponse:
    """A case person, names hidden for victims and guardians, with their look-alikes."""
    case = case_get_for_user(user=request.user, reference=case_reference)
    context = _person_context(request, case, involvement_id)
    details = None if context["masked"] else _details_form(context["person"])
    return render(
        request,
        "cases/case_person.html",
        {**context, "revealed": False, "details_form": details},
    )


@login_required
@require_POST
def case_person_reveal(
    request: StaffRequest, case_reference: str, involvement_id: int
) -> HttpResponse:
    """Show the person's identity, once, in this answer; audited every time."""
    case = case_get_for_user(user=request.user, reference=case_reference)
    context = _person_context(request, case, involvement_id)
    services.case_person_reveal(
        case=case, involvement=context["involvement"], actor=request.user, ip=client_ip(request)
    )
    details = _details_form(context["person"])
    return render(
        request, "cases/case_person.html", {**context, "revealed": True, "details_form": details}
    )


def _decide(request: StaffRequest, involvement: CaseInvolvement, data: dict[str, Any]) -> str:
    case, person = involvement.case, involvement.person
    actor, ip = request.user, client_ip(request)
    if data["decision"] == "unmerge":
        services.case_person_unmerge(case=case, person=person, actor=actor, ip=ip)
        return "Merge undone: they are recorded as different people."
    if not data["other"]:
        raise ValidationError("Choose the look-alike.")
    other = case_person_get_for_user(user=request.user, person_id=data["other"])
    if data["decision"] == "merge":
        services.case_person_merge(case=case, person=person, into=other, actor=actor, ip=ip)
        return "Merged: recorded as the same person."
    services.case_person_keep_apart(case=case, person=person, other=other, actor=actor, ip=ip)
    return "Kept apart: recorded as different people."


@login_required
@require_POST
def case_person_decide(
    request: StaffRequest, case_reference: str, involvement_id: int
) -> HttpResponse:
    """Merge a person with a look-alike, keep them apart, or undo a merge (all audited)."""
    return person_action(request, case_reference, involvement_id, forms.DecideForm, _decide)


# Evidence, custody and the court bundle --------------------------------------------------------


def _upload_limited(request: StaffRequest) -> HttpResponse | None:
    verdict = rate_limit_hit(
        key=f"evidence-upload:{request.user.pk}",
        limit=EVIDENCE_UPLOADS_PER_HOUR,
        window_seconds=3600,
    )
    return None if verdict.allowed else HttpResponse("Too many uploads; wait a while.", status=429)


@csrf_exempt  # checked by _evidence_upload as the body is read: see below
@login_required
@require_POST
def evidence_upload(request: StaffRequest, case_reference: str) -> HttpResponse:
    """An investigator's file, streamed into encrypted storage and hashed as it arrives (the
    order of the public form: scope and rate limit before the body is read, the encrypting
    handler, the CSRF check, and whatever was stored but not taken into evidence deleted)."""
    case = case_get_for_user(user=request.user, reference=case_reference)
    if (refused := _upload_limited(request)) is not None:
        return refused
    request.upload_handlers = [EvidenceUploadHandler(request)]
    try:
        return _evidence_upload(request, case)
    finally:
        media_discard_unreferenced(keys=written_keys(request))


@csrf_protect
def _evidence_upload(request: StaffRequest, case: Case) -> HttpResponse:
    form = forms.EvidenceUploadForm(request.POST, request.FILES)
    upload = request.FILES.get("file")
    if not form.is_valid() or not isinstance(upload, EncryptedUpload) or upload.blob is None:
        reason = upload.error if isinstance(upload, EncryptedUpload) else "no file"
        messages.error(request, f"The file was not taken ({reason or 'invalid form'}).")
    elif form.cleaned_data["legal_request"]:
        return _legal_response(request, case, form.cleaned_data, upload.blob, upload.name)
    elif upload.sniffed in ANSWER_ONLY_TYPES:  # not stored: discarded by the caller
        messages.error(request, f"A {upload.sniffed} file is taken only as a request's answer.")
    else:
        item = services.evidence_add_upload(
            case=case,
            blob=upload.blob,
            name=upload.name or "upload",
            description=form.cleaned_data["description"],
            actor=request.user,
            ip=client_ip(request),
        )
        messages.success(request, f"{item.label} taken into evidence (SHA-256 {item.sha256}).")
    return HttpResponseRedirect(reverse("cases:detail", args=[case.reference]))


def _legal_response(
    request: StaffRequest, case: Case, data: dict[str, Any], blob: StoredBlob, name: str | None
) -> HttpResponse:
    """A holder's answer to a legal request, uploaded through the evidence path above."""
    legal_request = legal_request_get(case=case, number=data["legal_request"])
    try:
        item = legal.legal_request_add_response(
            request=legal_request,
            blob=blob,
            name=name or "response",
            description=data["description"],
            actor=request.user,
            ip=client_ip(request),
        )
        messages.success(request, f"{item.label} taken into evidence as the answer.")
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return HttpResponseRedirect(_legal_page(case, legal_request.number))


def _physical(request: StaffRequest, case: Case, data: dict[str, Any]) -> str:
    item = services.evidence_add_physical(
        case=case, actor=request.user, ip=client_ip(request), **data
    )
    return f"{item.label} recorded."


@login_required
@require_POST
def evidence_physical(request: StaffRequest, case_reference: str) -> HttpResponse:
    """Record a seized device, a document or a statement."""
    return _case_action(request, case_reference, forms.PhysicalEvidenceForm, _physical)


def _report_file(request: StaffRequest, case: Case, data: dict[str, Any]) -> str:
    found = report_files_for_case(case=case, user=request.user).filter(file_id=data["file_id"])
    if not found:
        raise ValidationError("Choose a file of one of the case's reports.")
    item = services.evidence_add_report_file(
        case=case, report_file=found[0], actor=request.user, ip=client_ip(request)
    )
    return f"{item.label} taken into evidence by reference."


@login_required
@require_POST
def evidence_report_file(request: StaffRequest, case_reference: str) -> HttpResponse:
    """Take a file of one of the case's reports into evidence (by reference)."""
    return _case_action(request, case_reference, forms.ReportFileForm, _report_file)


@login_required
@require_POST
def evidence_custody(request: StaffRequest, case_reference: str, number: int) -> HttpResponse:
    """Append a custody event to an item (its hash recomputed)."""
    case = case_get_for_user(user=request.user, reference=case_reference)
    item = evidence_get(case=case, number=number)

    def act(request: StaffRequest, case: Case, data: dict[str, Any]) -> str:
        services.custody_record(item=item, actor=request.user, ip=client_ip(request), **data)
        item.refresh_from_db()
        return f"{item.label}: hash differs from intake!" if item.hash_mismatch else "Recorded."

    return _case_action(request, case_reference, forms.CustodyForm, act)


@login_required
@require_POST
def evidence_bundle(request: StaffRequest, case_reference: str) -> HttpResponse:
    """Download the court bundle (built in memory; see `tipline evidence bundle` for large
    cases). Audited, and each item's copy is a custody event."""
    case = case_get_for_user(user=request.user, reference=case_reference)
    buffer = io.BytesIO()
    bundle_write(case=case, target=buffer, actor=request.user, ip=client_ip(request))
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-bundle.zip"'
    return response


def _legal_page(case: Case, number: int) -> str:
    return reverse("cases:legal_request", args=[case.reference, number])
