"""A supervisor reviews a statistics release in chromium, with axe on every page, approves it,
and the public page in Pidgin shows it."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.conftest import draft
from tipline.intake.tests.test_browser import _serious_violations, _shot, browser  # noqa: F401
from tipline.publicstats.models import StatsRelease
from tipline.publicstats.services import release_compute
from tipline.reports.drafts import IncidentDraft
from tipline.reports.services import report_submit

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
def test_a_supervisor_reviews_and_approves_a_release_then_the_public_sees_it(
    browser: Any,  # noqa: F811  # the shared chromium fixture
    live_server: Any,
    make_user: Any,
) -> None:
    supervisor = make_user(Role.SUPERVISOR, (), national=True)
    for state, count in (("LA", 30), ("OG", 12), ("KN", 4)):
        for _ in range(count):
            incident = IncidentDraft(type="labour_exploitation", state_code=state)
            report_submit(draft=draft(incident=incident))
    release = release_compute(actor=supervisor)
    page = _page_as(browser, live_server, supervisor)
    page.goto(f"{live_server.url}/console/statistics/")
    assert _serious_violations(page) == []
    page.click(f"text=Release {release.pk}")
    main = page.inner_text("main")
    assert "no cell is under 11" in main and "Differencing check" in main
    assert _serious_violations(page) == []
    _shot(page, "stats-release-review")
    page.click("text=Approve and publish")
    assert "Release approved and published." in page.inner_text("main")
    assert _serious_violations(page) == []
    assert StatsRelease.objects.get(pk=release.pk).status == "approved"
    page.goto(f"{live_server.url}/pcm/statistics/")
    assert "Wetin people don report" in page.inner_text("main")
    assert "Reports for every state" in page.inner_text("main")
    assert _serious_violations(page) == []
    page.close()
