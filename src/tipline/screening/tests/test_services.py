"""Screening reports and texts through the services: stored, linked, audited, scoped."""

from __future__ import annotations

from collections.abc import Callable

from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.reports.models import Report
from tipline.screening.models import LicensedAgency, ReportScreening
from tipline.screening.selectors import screening_for_report
from tipline.screening.services import (
    TextInput,
    licensed_agency_delete,
    licensed_agency_save,
    report_screen,
    screen_texts,
)

MakeReport = Callable[..., Report]


def test_a_report_is_screened_and_its_findings_stored(make_report: MakeReport) -> None:
    report = make_report()
    report_screen(report=report)
    stored = ReportScreening.objects.get(report=report)
    assert stored.level == "high"
    by_id = {f["indicator"]: f for f in stored.findings}
    assert {"free_travel", "travel_debt", "oath", "passport_request"} <= set(by_id)
    assert "swear an oath" in by_id["oath"]["triggers"]


def test_screening_again_replaces_and_audits_only_a_change_of_level(
    make_report: MakeReport,
) -> None:
    report = make_report()
    report_screen(report=report)
    report_screen(report=report)
    assert ReportScreening.objects.filter(report=report).count() == 1
    audits = AuditEvent.objects.filter(action="report.screened", object_id=str(report.pk))
    assert audits.count() == 1
    assert audits.get().after["level"] == "high"


def test_a_first_screening_that_finds_nothing_writes_no_audit_row(make_report: MakeReport) -> None:
    report = make_report("Invented: a boy in Jos reports a stranger who asked for his photo.")
    assert report_screen(report=report).level == "none"
    assert ReportScreening.objects.get(report=report).level == "none"  # stored, though
    assert not AuditEvent.objects.filter(action="report.screened", object_id=str(report.pk))


def test_a_phone_shared_with_another_report_raises_the_level_and_names_it(
    make_report: MakeReport,
) -> None:
    first = make_report("They promised her a job abroad; contact only on WhatsApp.")
    alone = report_screen(report=first)
    assert alone.level == "low"  # the first report's phone is in no other report yet
    second = make_report("Another girl was promised a job; contact only on WhatsApp.")
    linked = report_screen(report=second)
    assert linked.level == "medium" and linked.raised_by_links
    sign = next(f for f in linked.findings if f.id == "linked_identifier")
    assert sign.linked_reports == (first.pk,) and sign.triggers == ("phone",)


def test_the_report_page_names_linked_reports_only_to_those_who_may_see_them(
    make_report: MakeReport, lagos_analyst: User, make_user: Callable[..., User]
) -> None:
    kano = make_report("Promised a job abroad, WhatsApp only.", state="KN")
    lagos = make_report("Promised a job abroad, WhatsApp only.")
    report_screen(report=lagos)
    view = screening_for_report(report=lagos, user=lagos_analyst)
    assert view is not None
    row = next(r for r in view.rows if r.indicator == "linked_identifier")
    assert (row.linked, row.hidden) == ((), 1)
    national = make_user("supervisor", (), national=True)
    view = screening_for_report(report=lagos, user=national)
    assert view is not None
    row = next(r for r in view.rows if r.indicator == "linked_identifier")
    assert (row.linked, row.hidden) == ((kano.reference,), 0)


def test_texts_are_screened_without_storing_anything(make_report: MakeReport) -> None:
    report = make_report()
    before = ReportScreening.objects.count()
    [one] = screen_texts(items=[TextInput(text="Free visa! WhatsApp only.")], with_links=True)
    assert {f.id for f in one.findings} == {"free_travel", "whatsapp_only"}
    assert ReportScreening.objects.count() == before
    assert report.pk  # the report exists, yet nothing about this text was stored


def test_a_phone_given_beside_a_text_is_looked_up_only_when_asked(
    make_report: MakeReport,
) -> None:
    report = make_report()
    item = TextInput(text="Job abroad. WhatsApp only.", phones=("0803 123 4567",))
    [partner] = screen_texts(items=[item], with_links=True)
    [public] = screen_texts(items=[item], with_links=False)
    linked = next(f for f in partner.findings if f.id == "linked_identifier")
    assert report.pk in linked.linked_reports and partner.level == "medium"
    assert "linked_identifier" not in {f.id for f in public.findings} and public.level == "low"


def test_the_licensed_list_is_kept_by_audited_services(lagos_analyst: User) -> None:
    agency = licensed_agency_save(
        agency=LicensedAgency(name="Bright Future Recruitment Ltd.", licence_number="FML/001"),
        actor=lagos_analyst,
    )
    assert agency.key == "bright future recruitment"
    [result] = screen_texts(
        items=[TextInput(text="Apply at Bright Future Recruitment.")], with_links=False
    )
    assert [f.id for f in result.findings] == ["licensed_agency"]
    licensed_agency_delete(agency=agency, actor=lagos_analyst)
    actions = AuditEvent.objects.filter(object_type="licensed_agency").values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["screening.agency_added", "screening.agency_removed"]
