"""The graph page in headless Chromium: cytoscape draws, expansion adds rows, axe passes."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tipline.accounts.choices import Role
from tipline.accounts.services import user_create
from tipline.conftest import PASSWORD
from tipline.graph.tests.factories import SUSPECT_PHONE_DISPLAY, linked_report
from tipline.identifiers.models import Identifier
from tipline.intake.tests.test_browser import _serious_violations, _shot, browser  # noqa: F401

pytestmark = pytest.mark.browser
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _page_as_analyst(browser: Any, live_server: Any, geo: Any) -> Any:  # noqa: F811
    user = user_create(
        username="graph.analyst", password=PASSWORD, role=Role.ANALYST, commands=[geo["LAG"]]
    )
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    name = django_settings.SESSION_COOKIE_NAME
    context.add_cookies([{"name": name, "value": cookie, "url": live_server.url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    return page


@pytest.mark.django_db(transaction=True)
def test_analyst_expands_an_identifier_from_the_table(
    browser: Any,  # noqa: F811
    live_server: Any,
    geo: Any,
    settings: Any,
) -> None:
    settings.GRAPH_MAX_NODES = 9
    made = [linked_report() for _ in range(5)]
    linked_report(state="KN")
    page = _page_as_analyst(browser, live_server, geo)
    page.goto(f"{live_server.url}/console/graph/report/{made[0].reference}/")
    page.wait_for_selector("#graph-canvas canvas")
    assert _serious_violations(page) == []
    _shot(page, "graph-summary")
    assert page.locator("#graph-summary").is_visible()
    rows_before = page.locator("#graph-nodes tbody tr").count()

    phone = next(i for i in Identifier.objects.filter(kind="phone"))
    assert phone.display == SUSPECT_PHONE_DISPLAY
    page.locator(f'button.graph-expand[data-node="identifier:{phone.pk}"]').click()
    # A locator wait, not wait_for_function: the page's CSP refuses the eval that one needs.
    page.locator("#graph-status", has_text="added").wait_for()
    references = page.locator("#graph-nodes tbody tr a").all_inner_texts()
    assert {r.reference for r in made} <= set(references)
    assert page.locator("#graph-nodes tbody tr").count() > rows_before
    assert page.locator(f'tr[data-id="more:{phone.pk}"]').count() == 0  # all drawn now
    assert page.locator(f'tr[data-id="outside:{phone.pk}"]').count() == 1
    count = page.locator("#graph-node-count").inner_text()
    assert int(count) == page.locator("#graph-nodes tbody tr").count()
    assert _serious_violations(page) == []
    _shot(page, "graph-expanded")
    assert page.errors == []
