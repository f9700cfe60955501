"""An analyst's day in headless Chromium: log in, find a P1, follow a shared identifier, assign,
close a duplicate. Every page passes axe-core; screenshots go to test-artifacts/."""

from __future__ import annotations

import os
from typing import Any

import pyotp
import pytest

from tipline.accounts.choices import Role
from tipline.accounts.services import user_create, user_mfa_begin, user_mfa_confirm
from tipline.conftest import PASSWORD, draft
from tipline.intake.tests.test_browser import _serious_violations, _shot, browser  # noqa: F401
from tipline.pipeline.services import pipeline_run
from tipline.reports.choices import Annotation, ReportStatus
from tipline.reports.drafts import IncidentDraft
from tipline.reports.models import Report
from tipline.reports.services import report_submit

pytestmark = pytest.mark.browser
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _report(description: str, **incident: Any) -> Report:
    values = {"type": "online_enticement", "description": description, "state_code": "LA"}
    made = report_submit(draft=draft(incident=IncidentDraft(**{**values, **incident}))).report
    pipeline_run(report_id=made.pk)
    return Report.objects.get(pk=made.pk)


def _analyst(geo: Any) -> tuple[str, str]:
    user = user_create(
        username="ada.analyst", password=PASSWORD, role=Role.ANALYST, commands=[geo["LAG"]]
    )
    secret = user_mfa_begin(user=user)
    assert user_mfa_confirm(user=user, code=pyotp.TOTP(secret).now())
    return user.username, secret


def _log_in(page: Any, base: str, username: str, secret: str) -> None:
    page.goto(f"{base}/accounts/login/")
    assert _serious_violations(page) == []
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.click("button[type=submit]")


def _check(page: Any, name: str) -> None:
    assert _serious_violations(page) == [], name
    _shot(page, name)


@pytest.mark.django_db(transaction=True)
def test_analyst_triages_a_p1_and_a_linked_duplicate(
    browser: Any,  # noqa: F811
    live_server: Any,
    geo: Any,
    settings: Any,
) -> None:
    settings.MFA_REQUIRED = True  # as in production: the analyst passes the second factor
    _report("Nothing urgent: an invented advert.")
    urgent = _report(
        "He set a meeting tonight; call 0803 555 0199.", annotations=[Annotation.MEETING_ARRANGED]
    )
    linked = _report("Same man, number +234 803 555 0199.")
    assert urgent.priority == "P1" and linked.cluster_id == urgent.cluster_id
    username, secret = _analyst(geo)

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in(page, live_server.url, username, secret)
    page.goto(f"{live_server.url}/console/queue/")
    _check(page, "console-queue")
    first_row = page.locator("tbody tr").first
    assert "P1" in first_row.inner_text()
    first_row.get_by_role("link", name=urgent.reference).click()
    page.wait_for_url(f"**/console/reports/{urgent.reference}/")
    _check(page, "console-report-p1")

    page.locator("#enrichment").get_by_role("link", name=linked.reference).first.click()
    page.wait_for_url(f"**/console/reports/{linked.reference}/")
    page.get_by_role("button", name="Claim (assign to me)").click()
    page.wait_for_url(f"**/console/reports/{linked.reference}/")
    assert Report.objects.get(pk=linked.pk).assigned_to.username == username  # type: ignore[union-attr]
    _check(page, "console-report-assigned")

    page.locator(".actions-panel summary", has_text="Close").click()
    page.fill("#duplicate-of", urgent.reference)
    page.get_by_role("button", name="Close as duplicate").click()
    page.wait_for_url(f"**/console/reports/{linked.reference}/")
    closed = Report.objects.get(pk=linked.pk)
    assert (closed.status, closed.closed_reason) == (ReportStatus.CLOSED, "duplicate")
    _check(page, "console-report-closed-duplicate")

    page.goto(f"{live_server.url}/console/queue/overdue/")
    _check(page, "console-overdue")
    page.close()
