"""The report's own page. The console mounts it (see `reports/urls.py`) and frames it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tipline.audit.lookups import lookup_note
from tipline.audit.models import LookupKind
from tipline.audit.selectors import events_for_object
from tipline.identifiers.selectors import identifiers_for_report
from tipline.media.selectors import matches_for_files
from tipline.media.sniff import IMAGE_TYPES
from tipline.reports.choices import PersonRole
from tipline.reports.selectors import report_detail_for_user
from tipline.triage.forms import EscalateForm, NoteForm
from tipline.triage.selectors import cluster_reports_for_user, partner_queues, report_worklog


@login_required
def report_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """Every part of one report. Images appear blurred and greyscale until revealed."""
    report = report_detail_for_user(user=request.user, reference=reference)
    lookup_note(request, kind=LookupKind.REPORT_VIEW, object_ref=report.reference)
    files = list(report.files.all())
    matches = matches_for_files(files)
    cluster, cluster_total, cluster_hidden = cluster_reports_for_user(
        report=report, user=request.user
    )
    context = {
        "identifier_rows": identifiers_for_report(report=report, user=request.user),
        "cluster": cluster,
        "cluster_total": cluster_total,
        "cluster_hidden": cluster_hidden,
        "partners": partner_queues(),
        "note_form": NoteForm(),
        "escalate_form": EscalateForm(),
        **report_worklog(report=report),
        "file_rows": [(f, matches[f.pk], f.sniffed_type in IMAGE_TYPES) for f in files],
        "report": report,
        "people": report.people.all(),
        "roles": dict(PersonRole.choices),
        "internet_details": report.internet_details.all(),
        "files": report.files.all(),
        "addenda": report.addenda.all(),
        "steps": report.steps.all(),
        "history": events_for_object(object_type="report", object_id=report.pk),
    }
    return render(request, "reports/report_detail.html", context)
