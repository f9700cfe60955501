"""The officer's path in headless Chromium through Playwright, with axe on every page: the national
desk enters a notice and sees it routed; a hotel's report arrives; the destination command's
analyst finds it on the notice as a likely match and confirms it; the place registry."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tipline.accounts.models import User
from tipline.common.time import WAT, utcnow
from tipline.intake.tests.test_browser import CHROMIUM, CHROMIUM_ARGS, _serious_violations, _shot
from tipline.travellers.models import Notice, NoticeCandidate
from tipline.travellers.tests.helpers import hotel_report

pytestmark = pytest.mark.browser
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium, as the intake browser tests launch it."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run scripts/ensure-chromium.sh (make test does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _page_as(browser: Any, live_server: Any, user: User) -> Any:
    """A browser page with `user`'s session (made by the test client, as `login` does)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = browser.new_context()
    context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url, "httpOnly": True}]
    )
    return context.new_page()


def _wat(days: float) -> str:
    return (utcnow() + timedelta(days=days)).astimezone(WAT).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.django_db(transaction=True)
def test_desk_enters_a_notice_and_the_command_confirms_the_likely_hotel_report(
    browser: Any, live_server: Any, desk_officer: User, lagos_analyst: User
) -> None:
    desk = _page_as(browser, live_server, desk_officer)
    desk.goto(f"{live_server.url}/console/travellers/")
    assert _serious_violations(desk) == []
    desk.click("text=Enter a notice")
    assert _serious_violations(desk) == []
    for field, value in {
        "#id_sender_agency": "Invented Sending Agency", "#id_sender_reference": "INVENTED-PW-1",
        "#id_given_names": "Michael", "#id_family_name": "Invented-Smith",
        "#id_nationalities": "GBR", "#id_passport_number": "123456789",
        "#id_port_of_entry": "LOS", "#id_arrival": _wat(-2), "#id_departure": _wat(5),
        "#id_destination_place": "Invented Palm Hotel, Victoria Island",
    }.items():  # fmt: skip
        desk.fill(field, value)
    desk.select_option("#id_destination_state", "LA")
    desk.click("text=Receive the notice")
    notice = Notice.objects.filter(sender_reference="INVENTED-PW-1").first()
    assert notice is not None, desk.inner_text("main")
    assert notice.command.code == "LAG" and "routed to" in desk.inner_text("main")
    assert _serious_violations(desk) == []
    report = hotel_report()
    analyst = _page_as(browser, live_server, lagos_analyst)
    analyst.goto(f"{live_server.url}/console/travellers/{notice.reference}/")
    assert report.reference in analyst.inner_text("main") and "(likely)" in analyst.inner_text(
        "main"
    )
    assert _serious_violations(analyst) == []
    _shot(analyst, "travel-notice-likely-report")
    analyst.check("input[name=decision][value=confirmed]")
    analyst.click("text=Record decision")
    assert NoticeCandidate.objects.get(report=report).state == "confirmed"
    analyst.goto(f"{live_server.url}/console/travellers/places/")
    assert _serious_violations(analyst) == []
    analyst.fill("#id_name", "Invented Palm Hotel")
    analyst.select_option("#id_state", "LA")
    analyst.click("button:has-text('Register')")
    assert report.reference in analyst.inner_text("main")
    assert _serious_violations(analyst) == []
