"""An investigator's path in headless Chromium through Playwright, with axe on every page: from a
P1 report to a case, a victim from the report, a piece of evidence uploaded, a production order
to the victim's phone's telecom, and the signed court bundle downloaded."""

from __future__ import annotations

import importlib
import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from tipline.accounts.models import User
from tipline.cases.models import Case, EvidenceItem, LegalRequest
from tipline.conftest import draft
from tipline.intake.tests.test_browser import _serious_violations, _shot, browser  # noqa: F401
from tipline.pipeline.services import pipeline_run
from tipline.reports.drafts import IncidentDraft
from tipline.reports.models import Report
from tipline.reports.services import report_submit

pytestmark = pytest.mark.browser
# Playwright's sync API runs an event loop in this thread; the ORM calls below are plain sync code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _seed_legal_templates() -> None:
    """The data migration's default templates. An earlier transactional test's flush empties the
    tables that migrations seeded, so this test seeds them as a migrated database has them."""
    from django.apps import apps

    seed = importlib.import_module("tipline.cases.migrations.0007_legal_templates_seed").seed
    seed(apps, None)


def _p1_report() -> Report:
    incident = IncidentDraft(
        type="online_enticement",
        description="An invented adult plans to meet her tomorrow at a hotel in Ikeja.",
        state_code="LA",
    )
    result = report_submit(draft=draft(incident=incident))
    pipeline_run(report_id=result.report.pk)
    report = Report.objects.get(pk=result.report.pk)
    assert report.priority == "P1", report.priority
    return report


def _page_as(chromium: Any, live_server: Any, user: User) -> Any:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = chromium.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context.new_page()


def _png(tmp_path: Path) -> Path:
    path = tmp_path / "invented-chat.png"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def _clean(page: Any) -> None:
    assert _serious_violations(page) == []


@pytest.mark.django_db(transaction=True)
def test_investigator_from_a_p1_report_to_a_court_bundle(
    browser: Any,  # noqa: F811  # the shared chromium fixture
    live_server: Any,
    investigator: User,
    tmp_path: Path,
) -> None:
    _seed_legal_templates()
    report = _p1_report()
    page = _page_as(browser, live_server, investigator)
    page.goto(f"{live_server.url}/console/reports/{report.reference}/")
    _clean(page)
    page.click("text=Open a case from this report")
    _clean(page)
    page.fill("#id_title", "Invented hotel meeting, Ikeja")
    page.click("text=Open the case")
    case = Case.objects.get()
    assert case.reference in page.inner_text("h1")
    _clean(page)
    page.click("text=Add to the case")  # the report's victim, as a victim
    assert "Victim context (HTCDS)" in page.inner_text("main")
    _clean(page)
    page.check("input[name=methods_of_control][value=FalsePromises]")
    page.select_option("#id_trafficking_status", "PossibleVictimOfTrafficking")
    page.click("text=Save victim context")
    assert "Victim context recorded." in page.inner_text("main")
    page.goto(f"{live_server.url}/console/cases/{case.reference}/")
    page.click("text=Upload a file")
    page.set_input_files("#evidence-file", str(_png(tmp_path)))
    page.click("text=Upload into evidence")
    assert "E001 taken into evidence" in page.inner_text("main")
    page.click("text=Draft a preservation request or production order")
    _clean(page)
    page.select_option("#id_kind", "production")
    page.select_option("#id_known", "phone|+2348031234567")
    page.click("text=Draft the request")
    assert "MTN Nigeria" in page.inner_text("main")
    _clean(page)
    _shot(page, "case-production-order")
    page.select_option("#lr-to", "sent")
    page.click("button:has-text('Record')")
    assert LegalRequest.objects.get().status == "sent"
    page.goto(f"{live_server.url}/console/cases/{case.reference}/")
    _clean(page)
    with page.expect_download() as download:
        page.click("text=Download the court bundle (ZIP)")
    with zipfile.ZipFile(download.value.path()) as zf:
        names = set(zf.namelist())
    assert {"SHA256SUMS", "SHA256SUMS.sig", "case_summary.pdf", "custody_log.pdf"} <= names
    assert any(name.startswith("items/E001-") for name in names)
    assert EvidenceItem.objects.get().custody.filter(action="copy").exists()
