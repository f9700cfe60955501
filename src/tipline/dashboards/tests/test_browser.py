"""The dashboards page in headless Chromium: charts drawn by the vendored Chart.js, axe clean,
and every figure still there with JavaScript off."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.intake.tests.test_browser import _serious_violations, _shot, browser  # noqa: F401
from tipline.reports.models import Report

pytestmark = pytest.mark.browser
# Playwright's sync API runs an event loop in this thread; the ORM calls below are plain sync code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _page(chromium: Any, live_server: Any, user: User, *, javascript: bool) -> Any:
    """A browser page logged in as `user` (the session cookie of a test client)."""
    client = Client()
    client.force_login(user)
    context = chromium.new_context(
        java_script_enabled=javascript, viewport={"width": 1280, "height": 900}
    )
    session = client.cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/console/dashboards/")
    return page


@pytest.fixture
def supervisor(make_user: Callable[..., User], report_in: Callable[..., Report]) -> User:
    for state, platform in [
        ("LA", "Example Chat"),
        ("LA", ""),
        ("KN", "Example Photos"),
        ("RI", ""),
    ]:
        report_in(state, platform=platform or None)
    report_in("FC", incident_type="labour_exploitation", channel="sms")
    return make_user(Role.SUPERVISOR, (), national=True)


def test_charts_are_drawn_and_the_page_passes_axe(
    browser: Any,  # noqa: F811
    live_server: Any,
    supervisor: User,
) -> None:
    page = _page(browser, live_server, supervisor, javascript=True)
    # A locator wait, not wait_for_function: the page's CSP refuses the eval that one needs.
    page.locator(".chart:not([hidden]) canvas").nth(5).wait_for()
    assert page.evaluate("Object.keys(Chart.instances).length") == 6
    assert page.locator("details.numbers[open]").count() == 0
    assert _serious_violations(page) == []
    _shot(page, "dashboards")
    page.context.close()


def test_without_javascript_every_table_is_open_and_the_map_links_to_a_search(
    browser: Any,  # noqa: F811
    live_server: Any,
    supervisor: User,
) -> None:
    page = _page(browser, live_server, supervisor, javascript=False)
    assert page.locator("details.numbers[open]").count() == 6  # the map itself needs no script
    assert page.locator(".chart[hidden]").count() == 6
    page.locator('svg.choropleth a:has(path[data-state="LA"])').click()
    assert reverse("search:search") + "?state=LA&received_from=" in page.url
    assert page.locator("h1").inner_text() == "Search"
    page.context.close()
