"""The report's page: who may see it, and that it shows every part of the report."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.conftest import draft, login
from tipline.pipeline.services import pipeline_run
from tipline.reports.drafts import IncidentDraft
from tipline.reports.models import Report
from tipline.reports.services import report_submit


def _report_in(state: str) -> Report:
    result = report_submit(
        draft=draft(
            incident=IncidentDraft(
                type="forced_begging", description=f"Invented, in {state}.", state_code=state
            )
        )
    )
    pipeline_run(report_id=result.report.pk)
    return Report.objects.get(pk=result.report.pk)


def test_outsider_gets_404_for_report_of_other_command(
    kano_analyst: User, lagos_report: Report
) -> None:
    response = login(kano_analyst).get(f"/console/reports/{lagos_report.reference}/")
    missing = login(kano_analyst).get("/console/reports/TL-1999-000001/")
    assert response.status_code == missing.status_code == 404


def test_anonymous_outsider_is_sent_to_login_for_a_report(lagos_report: Report) -> None:
    response = Client().get(f"/console/reports/{lagos_report.reference}/")
    assert response.status_code == 302


def test_report_page_shows_every_part_decrypted(lagos_analyst: User, lagos_report: Report) -> None:
    page = login(lagos_analyst).get(f"/console/reports/{lagos_report.reference}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Adaeze" in text and "08031234567" in text
    assert "Received by web" in text and "Intake check" in text


def test_national_supervisor_sees_every_command(make_user: Callable[..., User]) -> None:
    supervisor = make_user(Role.SUPERVISOR, (), national=True)
    kano = _report_in("KN")
    assert login(supervisor).get(f"/console/reports/{kano.reference}/").status_code == 200


def test_unrouted_report_is_visible_only_nationally(
    lagos_analyst: User, make_user: Callable[..., User]
) -> None:
    fresh = report_submit(draft=draft()).report
    assert login(lagos_analyst).get(f"/console/reports/{fresh.reference}/").status_code == 404
    admin = make_user(Role.ADMINISTRATOR, (), national=True)
    assert login(admin).get(f"/console/reports/{fresh.reference}/").status_code == 200


def test_the_report_page_keeps_its_console_address(lagos_report: Report) -> None:
    reference = lagos_report.reference
    assert reverse("console:report", args=[reference]) == f"/console/reports/{reference}/"
