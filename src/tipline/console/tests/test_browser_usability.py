"""The console in headless Chromium: keyboard shortcuts in the queue and on the report page,
select-all and the bulk form's fields, the 390 px layout with no sideways scrolling, and axe
(no serious or critical violation) on every page touched. Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.test import Client

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.accounts.services import user_create
from tipline.conftest import PASSWORD, draft
from tipline.intake.tests.test_browser import _serious_violations, _shot, browser  # noqa: F401
from tipline.pipeline.services import pipeline_run
from tipline.reports.choices import Annotation
from tipline.reports.drafts import Account, IncidentDraft, PersonDraft
from tipline.reports.models import Report
from tipline.reports.services import report_submit

pytestmark = pytest.mark.browser
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _report(description: str, **incident: Any) -> Report:
    values = {"type": "online_enticement", "description": description, "state_code": "LA"}
    person = PersonDraft(
        role="reported_person", accounts=[Account(platform="Snapchat", screen_name="invented_7")]
    )
    made = report_submit(
        draft=draft(incident=IncidentDraft(**{**values, **incident}), people=[person])
    ).report
    pipeline_run(report_id=made.pk)
    return Report.objects.get(pk=made.pk)


def _logged_in_page(browser: Any, base: str, user: User, width: int) -> Any:  # noqa: F811
    """A page whose context carries the session of a user logged in by the test client."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": width, "height": 900})
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": base}])
    return context.new_page()


def _check(page: Any, name: str) -> None:
    assert _serious_violations(page) == [], name
    _shot(page, name)


def _no_sideways_scroll(page: Any) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    wide = page.evaluate(
        "() => Array.from(document.querySelectorAll('body *'))"
        ".filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)"
        ".slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)"
    )
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]} px wide in {widths[1]} px: {wide}"


@pytest.fixture
def analyst(geo: Any) -> User:
    return user_create(
        username="kemi.analyst", password=PASSWORD, role=Role.ANALYST, commands=[geo["LAG"]]
    )


@pytest.mark.django_db(transaction=True)
def test_queue_and_report_page_answer_the_keyboard(
    browser: Any,  # noqa: F811
    live_server: Any,
    analyst: User,
) -> None:
    urgent = _report("Meeting tonight.", annotations=[Annotation.MEETING_ARRANGED])
    second = _report("An invented advert.")
    page = _logged_in_page(browser, live_server.url, analyst, 1280)
    page.goto(f"{live_server.url}/console/queue/")
    _check(page, "console-queue")

    page.keyboard.press("?")
    help_sheet = page.locator("#shortcut-help")
    help_sheet.wait_for(state="visible")
    assert "Claim the selected reports" in help_sheet.inner_text()
    _check(page, "console-queue-shortcuts")
    page.keyboard.press("Escape")
    help_sheet.wait_for(state="hidden")

    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.locator("tr.current").get_attribute("data-reference") == second.reference
    page.keyboard.press("k")
    assert page.locator("tr.current").get_attribute("data-reference") == urgent.reference
    page.keyboard.press("o")
    page.wait_for_url(f"**/console/reports/{urgent.reference}/")
    _check(page, "console-report")

    page.keyboard.press("p")
    assert page.evaluate("() => document.activeElement.id") == "new-priority"
    assert page.locator("#new-priority").input_value() == urgent.priority
    page.locator("#new-priority").blur()
    page.keyboard.press("j")
    page.wait_for_url(f"**/console/reports/{second.reference}/")
    page.keyboard.press("c")
    page.locator(".card[role=status]").wait_for()
    assert Report.objects.get(pk=second.pk).assigned_to_id == analyst.pk
    _check(page, "console-report-claimed")
    page.goto(f"{live_server.url}/console/dashboards/")
    _check(page, "console-dashboards")
    page.close()


@pytest.mark.django_db(transaction=True)
def test_select_all_and_the_bulk_form_show_what_the_action_needs(
    browser: Any,  # noqa: F811
    live_server: Any,
    analyst: User,
) -> None:
    reports = [_report(f"Invented advert {n}.") for n in range(3)]
    page = _logged_in_page(browser, live_server.url, analyst, 1280)
    page.goto(f"{live_server.url}/console/queue/")
    assert page.locator("#bulk-assignee").is_visible()
    assert not page.locator("#bulk-priority").is_visible()
    page.select_option("#bulk-action", "priority")
    assert page.locator("#bulk-priority").is_visible()
    assert not page.locator("#bulk-assignee").is_visible()
    page.get_by_label("Select all on this page").check()
    assert page.locator("input[name=references]:checked").count() == len(reports)
    page.select_option("#bulk-action", "assign")
    page.get_by_role("button", name="Apply").click()
    page.locator(".card[role=status]").wait_for()
    assert Report.objects.filter(assigned_to=analyst).count() == len(reports)
    page.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [390, 320])
def test_the_console_fits_a_narrow_phone_without_sideways_scrolling(
    browser: Any,  # noqa: F811
    live_server: Any,
    analyst: User,
    width: int,
) -> None:
    report = _report("Meeting tonight.", annotations=[Annotation.MEETING_ARRANGED])
    page = _logged_in_page(browser, live_server.url, analyst, width)
    pages = {
        "queue": "/console/queue/",
        "reports": "/console/",
        "report": f"/console/reports/{report.reference}/",
        "notifications": "/console/notifications/",
        "search": "/console/search/?state=LA",
        "dashboards": "/console/dashboards/",
    }
    for name, path in pages.items():
        page.goto(live_server.url + path)
        _no_sideways_scroll(page)
        assert page.get_by_role("link", name="Skip to content").count() == 1
        _check(page, f"console-{name}-{width}")
    page.close()
