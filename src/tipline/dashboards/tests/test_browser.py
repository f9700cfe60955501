"""The dashboards page in headless Chromium: charts drawn by the vendored Chart.js, axe clean,
and every figure still there with JavaScript off."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.reports.models import Report

pytestmark = pytest.mark.browser
# Playwright's sync API runs an event loop in this thread; the ORM calls below are plain sync code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "console/static/vendor/axe-core/axe.min.js"
ARTIFACTS = Path(os.environ.get("TIPLINE_TEST_ARTIFACTS", "test-artifacts"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright  # noqa: PLC0415  # only browser tests need it

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run scripts/ensure-chromium.sh (make test does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _page(browser: Any, live_server: Any, user: User, *, javascript: bool) -> Any:
    """A browser page logged in as `user` (the session cookie of a test client)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(
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
    browser: Any, live_server: Any, supervisor: User
) -> None:
    page = _page(browser, live_server, supervisor, javascript=True)
    page.wait_for_function("document.querySelectorAll('.chart:not([hidden]) canvas').length === 6")
    assert page.evaluate("Object.keys(Chart.instances).length") == 6
    assert page.locator("details.numbers[open]").count() == 0
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    serious = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboards.png"), full_page=True)
    page.context.close()


def test_without_javascript_every_table_is_open_and_the_map_links_to_the_queue(
    browser: Any, live_server: Any, supervisor: User
) -> None:
    page = _page(browser, live_server, supervisor, javascript=False)
    assert page.locator("details.numbers[open]").count() == 6  # the map itself needs no script
    assert page.locator(".chart[hidden]").count() == 6
    page.locator('svg.choropleth a:has(path[data-state="LA"])').click()
    assert page.url.endswith(reverse("triage:queue") + "?state=LA")
    page.context.close()
