"""Legal process: the holder found from the identifier, the template's wording, the PDF, the
table of moves (every allowed and refused one), due dates and overdue, and the answer's files
taken into evidence through the evidence upload."""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.cases.choices import LEGAL_TRANSITIONS, LegalRequestStatus
from tipline.cases.holders import holder_for
from tipline.cases.models import Case, EvidenceItem, LegalRequest, LegalTemplate
from tipline.cases.selectors import today_wat
from tipline.cases.services.legal import legal_request_draft, legal_request_transition
from tipline.conftest import login
from tipline.reports.models import Report

ALL = LegalRequestStatus.values
# A holder's answer: a (minimal) PDF, a type the evidence upload takes.
ANSWER = b"%PDF-1.4\n% invented call records\n" + b"0" * 2000 + b"\n%%EOF\n"


@pytest.fixture
def case(make_case: Callable[..., Case], lagos_report: Report) -> Case:
    return make_case(reports=(lagos_report,))


def _draft(case: Case, user: User, **overrides: str) -> LegalRequest:
    values = {"kind": "production", "identifier_kind": "phone", "value": "08031234567"}
    values.update(overrides)
    return legal_request_draft(case=case, actor=user, **values)


def test_a_phone_goes_to_its_networks_telecom_with_the_telecom_template(
    case: Case, investigator: User
) -> None:
    req = _draft(case, investigator)
    assert req.holder == "MTN Nigeria Communications PLC" and req.holder_kind == "telecom"
    assert req.template.name == "Production order (telecom)"
    assert "+2348031234567" in req.body and case.reference in req.body
    assert "Cybercrimes (Prohibition, Prevention, etc.) Act 2015" in req.body
    assert (
        "Trafficking in Persons (Prohibition) Enforcement and Administration Act 2015" in req.body
    )
    assert "{" not in req.body and "ported" in req.note
    with connection.cursor() as cursor:
        cursor.execute("SELECT identifier, body FROM cases_legalrequest")
        assert "2348031234567" not in " ".join(cursor.fetchone())
    audit = AuditEvent.objects.get(action="case.legal_request_drafted")
    assert "8031234567" not in str(audit.after)


def _pdf_text(pdf: bytes) -> str:
    """The text drawn in a PDF's (deflated) content streams, without a PDF library."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL)
    drawn = []
    for stream in streams:
        try:
            content = zlib.decompress(stream).decode("latin-1")
        except zlib.error:
            continue
        drawn += re.findall(r"\((.*?)(?<!\\)\) ?Tj", content)
    return " ".join(drawn).replace("\\(", "(").replace("\\)", ")")


@pytest.mark.parametrize(
    ("kind", "value", "holder", "holder_kind"),
    [
        ("email", "Someone.Invented@gmail.com", "Google LLC", "email"),
        ("account", "instagram:invented_handle", "Meta Platforms, Inc.", "platform"),
        ("nuban", "058:0123456785", "Guaranty Trust Bank", "bank"),
        ("phone", "+234 805 123 4567", "Globacom Limited", "telecom"),
    ],
)
def test_holders_from_the_identifier(kind: str, value: str, holder: str, holder_kind: str) -> None:
    found = holder_for(kind, value)
    assert found.kind == holder_kind and found.name.startswith(holder.split()[0])


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("ip", "102.89.1.2", "port and time"),
        ("ip", "102.89.1.2 4000 2026-01-31T10:00", "zone"),
        ("nuban", "058:0123456789", "valid NUBAN"),
        ("phone", "12", "phone"),
        ("email", "not-an-address", "email"),
        ("account", "justahandle", "platform:handle"),
        ("fax", "123", "Unknown kind"),
    ],
)
def test_a_bad_identifier_is_refused_with_the_reason(kind: str, value: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        holder_for(kind, value)


def test_an_ip_needs_port_and_time_and_an_unknown_holder_is_named_by_the_investigator(
    case: Case, investigator: User
) -> None:
    with pytest.raises(ValidationError, match="Name the holder"):
        _draft(case, investigator, identifier_kind="ip", value="10.1.2.3 4000 2026-01-31T10:00Z")
    req = _draft(
        case,
        investigator,
        identifier_kind="ip",
        value="10.1.2.3 4000 2026-01-31T10:00Z",
        holder="Invented ISP Ltd",
        kind="preservation",
    )
    assert req.holder == "Invented ISP Ltd" and req.template.name.startswith("Preservation")
    assert "port 4000 at 2026-01-31T10:00:00+00:00" in req.identifier


def test_the_template_is_data_an_edit_changes_the_next_draft_only(
    case: Case, investigator: User
) -> None:
    first = _draft(case, investigator)
    LegalTemplate.objects.filter(name="Production order (telecom)").update(
        body="To {holder}: produce {identifier} for {case}. {unknown}"
    )
    second = _draft(case, investigator)
    assert (
        second.body
        == f"To {second.holder}: produce +2348031234567 for {case.reference}. {{unknown}}"
    )
    assert LegalRequest.objects.get(pk=first.pk).body != second.body
    assert (first.number, second.number) == (1, 2)


@pytest.mark.parametrize("before", ALL)
@pytest.mark.parametrize("to", ALL)
def test_every_move_of_the_table_is_allowed_and_every_other_refused(
    case: Case, investigator: User, before: str, to: str
) -> None:
    req = _draft(case, investigator)
    sent = {} if before == "draft" else {"sent_on": today_wat()}
    LegalRequest.objects.filter(pk=req.pk).update(status=before, **sent)
    if to in LEGAL_TRANSITIONS[before]:
        moved = legal_request_transition(request=req, to=to, actor=investigator)
        assert moved.status == to
    else:
        with pytest.raises(ValidationError, match="cannot go"):
            legal_request_transition(request=req, to=to, actor=investigator)
        assert LegalRequest.objects.get(pk=req.pk).status == before


def test_sending_sets_the_due_date_and_a_late_answer_is_overdue(
    case: Case, investigator: User
) -> None:
    req = _draft(case, investigator)
    twenty_days_ago = today_wat() - timedelta(days=20)
    sent = legal_request_transition(request=req, to="sent", on=twenty_days_ago, actor=investigator)
    assert sent.due_on == twenty_days_ago + timedelta(days=14)
    page = login(investigator).get(f"/console/cases/{case.reference}/").content.decode()
    assert 'class="overdue"' in page and "overdue" in page


def test_the_request_as_a_pdf_holds_its_text(case: Case, investigator: User) -> None:
    req = _draft(case, investigator)
    response = login(investigator).get(f"/console/cases/{case.reference}/requests/1/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = _pdf_text(response.content)
    assert req.holder in text and case.reference in text and "Cybercrimes" in text


def test_draft_from_an_identifier_of_the_cases_reports_by_the_page(
    case: Case, investigator: User
) -> None:
    client = login(investigator)
    page = client.get(f"/console/cases/{case.reference}/requests/new/").content.decode()
    assert "phone|+2348031234567" in page  # found in the case's report
    response = client.post(
        f"/console/cases/{case.reference}/requests/new/",
        {"kind": "preservation", "known": "phone|+2348031234567"},
    )
    assert response["Location"] == f"/console/cases/{case.reference}/requests/1/"
    assert LegalRequest.objects.get().holder.startswith("MTN")
    bad = client.post(
        f"/console/cases/{case.reference}/requests/new/",
        {"kind": "production", "identifier_kind": "ip", "value": "1.2.3.4"},
    )
    assert bad.status_code == 400 and "port and time" in bad.content.decode()


def test_the_answer_is_uploaded_into_evidence_and_marks_the_request_answered(
    case: Case, investigator: User
) -> None:
    req = _draft(case, investigator)
    client = login(investigator)
    upload = SimpleUploadedFile("cdr.pdf", ANSWER)
    refused = client.post(
        f"/console/cases/{case.reference}/evidence/upload/",
        {"file": upload, "legal_request": req.number},
    )
    assert refused.status_code == 302 and not EvidenceItem.objects.exists()  # still a draft
    client.post(f"/console/cases/{case.reference}/requests/1/status/", {"to": "sent"})
    upload = SimpleUploadedFile("cdr.pdf", ANSWER)
    client.post(
        f"/console/cases/{case.reference}/evidence/upload/",
        {"file": upload, "legal_request": req.number},
    )
    item = EvidenceItem.objects.get()
    req.refresh_from_db()
    assert item.legal_request == req and req.status == "responded"
    assert item.custody.get().action == "intake"
    page = client.get(f"/console/cases/{case.reference}/requests/1/").content.decode()
    assert item.label in page and "Response received" in page


@pytest.mark.parametrize("who", ["colleague", "kano_analyst"])
def test_outsiders_get_404_on_every_legal_page(
    case: Case, investigator: User, who: str, request: pytest.FixtureRequest
) -> None:
    _draft(case, investigator)
    outsider = login(request.getfixturevalue(who))
    base = f"/console/cases/{case.reference}/requests"
    for url in (f"{base}/new/", f"{base}/1/", f"{base}/1/pdf/"):
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(f"{base}/1/status/", {"to": "sent"}).status_code == 404
    assert outsider.post(f"{base}/new/", {"kind": "production"}).status_code == 404
    assert LegalRequest.objects.get().status == "draft" and LegalRequest.objects.count() == 1


def test_a_request_of_another_case_is_404_through_this_one(
    case: Case, make_case: Callable[..., Case], investigator: User
) -> None:
    other = make_case()
    _draft(other, investigator)
    assert (
        login(investigator).get(f"/console/cases/{case.reference}/requests/1/").status_code == 404
    )


def test_administrators_edit_templates_in_the_admin_audited(
    make_user: Callable[..., User],
) -> None:
    admin = login(make_user(Role.ADMINISTRATOR, (), national=True))
    template = LegalTemplate.objects.get(name="Production order (bank)")
    url = f"/admin/cases/legaltemplate/{template.pk}/change/"
    data = {
        "name": template.name,
        "kind": template.kind,
        "holder_kind": template.holder_kind,
        "title": "Invented title",
        "legal_basis": template.legal_basis,
        "body": "To {holder}",
        "days_to_respond": 10,
        "is_active": "on",
    }
    assert admin.post(url, data).status_code == 302
    assert LegalTemplate.objects.get(pk=template.pk).title == "Invented title"
    assert AuditEvent.objects.filter(action="legal_template.changed").exists()
