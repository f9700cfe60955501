"""The report's own page. The console mounts it (see `reports/urls.py`) and frames it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tipline.audit.lookups import lookup_note
from tipline.audit.models import LookupKind
from tipline.audit.selectors import events_for_object
from tipline.identifiers.selectors import IdentifierRow, identifiers_for_report
from tipline.media.selectors import held_back_ids, matches_for_files
from tipline.media.sniff import IMAGE_TYPES
from tipline.reports.choices import CloseReason, PersonRole, Priority, SharingLevel
from tipline.reports.display import has_contact, labelled_fields
from tipline.reports.history import history_sentence
from tipline.reports.models import Person, Report
from tipline.reports.selectors import report_detail_for_user
from tipline.triage.forms import EscalateForm, NoteForm
from tipline.triage.selectors import cluster_reports_for_user, partner_queues, report_worklog

WITHHELD = "withheld: the reporter did not agree to be contacted"


def _person_fields(report: Report, person: Person) -> list[tuple[str, str]]:
    """A person's details; an anonymous reporter's (a phone channel keeps the number, to link
    reports) are withheld from staff."""
    if person.role == PersonRole.REPORTER and report.reporter_anonymous:
        return [("Contact details", WITHHELD)]
    return labelled_fields(person.details)


def _withhold_reporter(report: Report, rows: list[IdentifierRow]) -> list[IdentifierRow]:
    if report.reporter_anonymous:
        for row in rows:
            row.withheld = all(s.startswith(f"{PersonRole.REPORTER}.") for s in row.sources)
    return rows


@login_required
def report_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """One report laid out as an analyst reads it: summary and description, identifiers and
    links, people and internet details as labelled fields, then files and history; the
    actions in one panel beside it. Images appear blurred and greyscale until revealed."""
    report = report_detail_for_user(user=request.user, reference=reference)
    lookup_note(request, kind=LookupKind.REPORT_VIEW, object_ref=report.reference)
    files = list(report.files.all())
    matches = matches_for_files(files)
    cluster, cluster_total, cluster_hidden = cluster_reports_for_user(
        report=report, user=request.user
    )
    people = list(report.people.all())
    context = {
        "identifier_rows": _withhold_reporter(
            report, identifiers_for_report(report=report, user=request.user)
        ),
        "cluster": cluster,
        "cluster_total": cluster_total,
        "cluster_hidden": cluster_hidden,
        "partners": partner_queues(),
        "note_form": NoteForm(),
        "escalate_form": EscalateForm(),
        **report_worklog(report=report),
        "file_rows": [(f, matches[f.pk], f.sniffed_type in IMAGE_TYPES) for f in files],
        "held_back": held_back_ids(files),
        "report": report,
        "people": [(p, _person_fields(report, p)) for p in people],
        "reporter_contact": any(
            p.role == PersonRole.REPORTER and has_contact(p.details) for p in people
        ),
        "internet_details": [(d, labelled_fields(d.data)) for d in report.internet_details.all()],
        "files": files,
        "addenda": report.addenda.all(),
        "steps": report.steps.all(),
        "history": [
            (e, history_sentence(e))
            for e in events_for_object(object_type="report", object_id=report.pk)
        ],
        "priorities": Priority.choices,
        "close_reasons": [c for c in CloseReason.choices if c[0] != CloseReason.DUPLICATE],
        "exportable": report.sharing_level != SharingLevel.RED,
    }
    return render(request, "reports/report_detail.html", context)
