"""The public 'check a job offer' and statistics pages in a real browser: a Pidgin offer checked,
its report form prefilled, and axe finding nothing serious in any of the five languages."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tipline.intake.tests.test_browser import CHROMIUM, CHROMIUM_ARGS, _serious_violations, _shot

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


OFFER = (
    "Madam for Italy go receive you. Dem go pay for your visa, you go pay am back. WhatsApp only."
)


@pytest.mark.django_db(transaction=True)
def test_a_pidgin_offer_is_checked_and_reported_with_the_form_prefilled(
    browser: Any, live_server: Any, geo: Any
) -> None:
    page = browser.new_page()
    page.goto(f"{live_server.url}/pcm/check/")
    page.fill("#id_offer", OFFER)
    page.click("button[type=submit]")
    result = page.inner_text("main")
    assert "Dis offer get" in result
    # The warning signs themselves, each with the words that showed it, and the advice, in Pidgin.
    assert page.locator("ul.signs > li").count() >= 2
    assert "you go pay am back" in result
    assert "No give anybody your passport" in result
    assert _serious_violations(page) == []
    _shot(page, "check-offer-pcm-result")
    page.click("button[name=report]")
    assert page.url == f"{live_server.url}/pcm/"
    assert page.input_value("#id_description").startswith("Madam for Italy")
    page.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["en", "ha", "yo", "ig", "pcm"])
def test_the_public_pages_pass_axe(browser: Any, live_server: Any, geo: Any, lang: str) -> None:
    page = browser.new_page()
    for path in ("check/", "statistics/"):
        page.goto(f"{live_server.url}/{lang}/{path}")
        assert _serious_violations(page) == [], path
    page.close()
