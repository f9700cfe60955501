"""The public form driven in headless Chromium (Debian's package) through Playwright."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tipline.reports.models import Addendum, Report

pytestmark = pytest.mark.browser
# Playwright's sync API runs an event loop in this thread; the ORM calls below are plain sync code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "console/static/vendor/axe-core/axe.min.js"
ARTIFACTS = Path(os.environ.get("TIPLINE_TEST_ARTIFACTS", "test-artifacts"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run scripts/ensure-chromium.sh (make test does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _serious_violations(page: Any) -> list[str]:
    # By URL from our own static files: an inline copy would be refused by the page's CSP.
    page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _fill_and_send(page: Any) -> None:
    page.select_option("#id_incident_type", "online_enticement")
    page.fill("#id_description", "An invented adult keeps messaging an invented child.")
    page.select_option("#id_state", "LA")
    page.set_input_files(
        "#id_attachments",
        files=[{"name": "screenshot.png", "mimeType": "image/png", "buffer": _png_bytes()}],
    )
    page.click("button[type=submit]")


@pytest.mark.django_db(transaction=True)
def test_reporter_submits_with_javascript_and_follows_up(
    browser: Any, live_server: Any, geo: Any
) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(f"{live_server.url}/en/")
    assert _serious_violations(page) == []
    _shot(page, "public-form-en")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert _serious_violations(page) == []
    _shot(page, "public-form-en-1280")
    page.set_viewport_size({"width": 360, "height": 740})
    _fill_and_send(page)
    reference = page.text_content("[data-testid=reference]")
    code = page.text_content("[data-testid=receipt-code]")
    _shot(page, "public-receipt")
    assert _serious_violations(page) == []
    report = Report.objects.get(reference=reference)
    assert report.files.get().sniffed_type == "image/png"
    page.goto(f"{live_server.url}/en/follow-up/")
    page.fill("#id_reference", reference)
    page.fill("#id_receipt_code", code)
    page.click("button[type=submit]")
    page.fill("#id_body", "I remembered an invented username.")
    page.click("button[type=submit]")
    assert page.is_visible("text=Your information was added")
    assert _serious_violations(page) == []
    assert Addendum.objects.get(report=report).body == "I remembered an invented username."
    page.close()


@pytest.mark.django_db(transaction=True)
def test_form_works_with_javascript_off(browser: Any, live_server: Any, geo: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/yo/")
    _fill_and_send(page)
    assert page.text_content("[data-testid=reference]")
    assert Report.objects.get().language == "yo"
    context.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["ha", "ig", "pcm"])
def test_other_languages_pass_axe(browser: Any, live_server: Any, geo: Any, lang: str) -> None:
    page = browser.new_page()
    page.goto(f"{live_server.url}/{lang}/")
    assert _serious_violations(page) == []
    _shot(page, f"public-form-{lang}")
    page.close()


def _shift_three_times(page: Any) -> None:
    for _ in range(3):
        page.keyboard.press("Shift")


@pytest.mark.django_db(transaction=True)
def test_shift_three_times_blanks_the_page_and_back_does_not_return(
    browser: Any, live_server: Any, geo: Any
) -> None:
    page = browser.new_page()
    page.route("https://www.google.com/**", lambda route: route.fulfill(body="elsewhere"))
    page.goto(f"{live_server.url}/en/")
    page.fill("#id_description", "An invented secret the reporter was typing.")
    # First towards a place the page's CSP refuses to go, so that it stays to be looked at:
    # whatever happens to the navigation, nothing readable is left on screen.
    page.evaluate("document.getElementById('quick-exit').href = 'javascript:void 0'")
    _shift_three_times(page)
    page.locator("body.exiting").wait_for(state="attached")
    assert page.locator("body").inner_text() == "" and page.title() == ""
    page.goto(f"{live_server.url}/en/")
    _shift_three_times(page)
    page.wait_for_url("https://www.google.com/**")
    page.go_back()
    assert not page.url.startswith(live_server.url)  # the tipline page was replaced in history
    assert not Report.objects.exists()
    page.close()


@pytest.mark.django_db(transaction=True)
def test_quick_exit_button_leaves_and_replaces_history(
    browser: Any, live_server: Any, geo: Any
) -> None:
    page = browser.new_page()
    page.route("https://www.google.com/**", lambda route: route.fulfill(body="elsewhere"))
    page.goto(f"{live_server.url}/en/safety/")
    page.click("#quick-exit")
    page.wait_for_url("https://www.google.com/**")
    page.go_back()
    assert not page.url.startswith(live_server.url)
    page.close()


@pytest.mark.django_db(transaction=True)
def test_escape_and_shifted_letters_while_typing_do_not_leave(
    browser: Any, live_server: Any, geo: Any
) -> None:
    page, left = browser.new_page(), []
    page.route("https://www.google.com/**", lambda route: left.append(route.request.url))
    page.goto(f"{live_server.url}/en/")
    page.click("#id_description")
    page.keyboard.type("Typed by an invented witness")
    page.keyboard.press("Escape")
    for letter in "ABC":  # Shift held for capitals is not the quick exit
        page.keyboard.press(f"Shift+{letter}")
    page.keyboard.press("Shift")
    page.wait_for_timeout(400)
    assert page.url == f"{live_server.url}/en/" and left == []
    assert page.input_value("#id_description") == "Typed by an invented witnessABC"
    page.close()


@pytest.mark.django_db(transaction=True)
def test_reloading_the_receipt_or_resending_the_form_files_one_report(
    browser: Any, live_server: Any, geo: Any
) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(f"{live_server.url}/en/")
    sent = {
        name: page.input_value(f"input[name={name}]")
        for name in ("csrfmiddlewaretoken", "submission")
    }
    _fill_and_send(page)
    reference = page.text_content("[data-testid=reference]")
    code = page.text_content("[data-testid=receipt-code]")
    assert page.url == f"{live_server.url}/en/received/"
    page.reload()
    assert page.text_content("[data-testid=reference]") == reference
    assert page.locator("[data-testid=code-already-shown]").is_visible()
    assert code not in page.content()
    form = {
        **sent,
        "incident_type": "online_enticement",
        "description": "An invented adult keeps messaging an invented child.",
    }
    resent = page.context.request.post(f"{live_server.url}/en/", form=form)
    assert resent.ok and reference in resent.text()
    assert Report.objects.count() == 1
    assert _serious_violations(page) == []
    page.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [360, 1280])
def test_failed_submit_focuses_the_error_summary_whose_links_reach_each_field(
    browser: Any, live_server: Any, geo: Any, width: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 740})
    page.goto(f"{live_server.url}/en/")
    page.fill("#id_contact_email", "not an address")
    page.click("button[type=submit]")
    page.locator("#error-summary").wait_for()
    assert page.title().startswith("Error: ")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert _serious_violations(page) == []
    _shot(page, f"public-form-errors-{width}")
    page.click("#error-summary a[href='#id_contact_email']")
    assert page.evaluate("document.activeElement.id") == "id_contact_email"
    assert not Report.objects.exists()
    page.close()
