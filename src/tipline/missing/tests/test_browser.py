"""The guardian's and the reviewer's paths in headless Chromium through Playwright, with axe on
every page: a guardian registers a child on the public site and follows it up with the receipt
code; a supervisor verifies the record,
issues its alert, and confirms the sighting the matcher put first."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.common.time import WAT, utcnow
from tipline.intake.tests.test_browser import _serious_violations, _shot, browser  # noqa: F401
from tipline.missing.choices import RecordStatus
from tipline.missing.models import AlertMessage, MatchCandidate, MissingRecord
from tipline.missing.tests.helpers import sighting_report

pytestmark = pytest.mark.browser
# Playwright's sync API runs an event loop in this thread; the ORM calls below are plain sync code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _page_as(chromium: Any, live_server: Any, user: User) -> Any:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context.new_page()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["en", "ha", "yo", "ig", "pcm"])
def test_a_guardian_registers_a_child(browser: Any, live_server: Any, geo: Any, lang: str) -> None:  # noqa: F811
    page = browser.new_page()
    page.goto(f"{live_server.url}/{lang}/missing/")
    assert _serious_violations(page) == []
    page.fill("#id_given_names", "Temitope")
    page.fill("#id_family_name", "Adebayo")
    page.fill("#id_age", "11")
    page.fill("#id_last_seen_on", (utcnow() - timedelta(days=1)).astimezone(WAT).date().isoformat())
    page.select_option("#id_state", "LA")
    page.fill("#id_guardian_name", "Invented Guardian")
    page.fill("#id_guardian_phone", "0803 111 0000")
    page.check("#id_consent_public")
    page.click("button[type=submit]")
    record = MissingRecord.objects.get()
    assert record.reference in page.inner_text("main")
    code = page.locator('[data-testid="receipt-code"]').inner_text()
    assert _serious_violations(page) == []
    _shot(page, f"missing-guardian-receipt-{lang}")
    page.goto(f"{live_server.url}/{lang}/missing/follow-up/")  # later, with the code
    assert _serious_violations(page) == []
    page.fill("#id_reference", record.reference)
    page.fill("#id_receipt_code", code)
    page.click("button[type=submit]")
    assert page.locator('[data-testid="status"]').count() == 1
    page.fill("#id_text", "Invented: she may be with an aunt.")
    page.click("button[type=submit]")
    assert page.locator('[data-testid="added"]').count() == 1 and _serious_violations(page) == []
    assert record.events.filter(kind="information_added").count() == 1
    _shot(page, f"missing-guardian-follow-up-{lang}")
    page.close()


@pytest.mark.django_db(transaction=True)
def test_a_supervisor_verifies_alerts_and_confirms_a_sighting(
    browser: Any,  # noqa: F811
    live_server: Any,
    make_record: Any,
    make_user: Any,
) -> None:
    record = make_record()
    supervisor: User = make_user(Role.SUPERVISOR, ("LAG",))
    page = _page_as(browser, live_server, supervisor)
    page.goto(f"{live_server.url}/console/missing/{record.reference}/")
    assert _serious_violations(page) == []
    page.select_option("#id_to", "verified")
    page.click("text=Change status")
    assert "is now verified" in page.inner_text("main")
    page.click("text=Issue a public alert")
    alert = AlertMessage.objects.get()
    page.goto(f"{live_server.url}/en/missing/alerts/{alert.public_id}/")
    assert "Temitope Adebayo" in page.inner_text("main") and _serious_violations(page) == []
    report = sighting_report()
    candidate = MatchCandidate.objects.get(record=record)
    page.goto(f"{live_server.url}/console/missing/{record.reference}/")
    card = page.locator(f"#candidate-{candidate.pk}")
    assert report.reference in card.inner_text() and "Adebayo" in card.inner_text()
    card.locator("input[value=confirmed]").check()
    card.locator("button[type=submit]").click()
    assert "Confirmed" in page.inner_text("main")
    assert _serious_violations(page) == []
    _shot(page, "missing-reviewer-confirmed")
    record.refresh_from_db()
    assert record.status == RecordStatus.SIGHTED
    page.goto(f"{live_server.url}/console/missing/review/")
    assert _serious_violations(page) == []
    page.close()
