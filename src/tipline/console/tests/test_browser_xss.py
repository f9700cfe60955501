"""Stored XSS probe: script payloads in every text field, from every channel, on every console page.

Reports come in through the public form, the JSON API and /ispws, with notes, addenda and an
escalation added in the console; every field that holds text holds payloads. A supervisor then
opens every page that shows them, twice: once with the Content-Security-Policy bypassed, so that
escaping alone must hold, and once under the policy, where any blocked script (a violation
event) means escaping failed somewhere too.
"""

from __future__ import annotations

import html
import io
import json
import os
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.conftest import login
from tipline.dashboards.selectors import TABLES
from tipline.intake.tests.ispws.test_endpoints import Esp, _client, fixture, id_of
from tipline.intake.tests.test_browser import browser  # noqa: F401
from tipline.pipeline.services import pipeline_run
from tipline.reports.choices import Channel
from tipline.reports.models import Report
from tipline.reports.services import report_add_addendum
from tipline.triage.services import report_escalate

pytestmark = pytest.mark.browser
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

RAN = "window.__xss=(window.__xss||0)+1"
PAYLOADS = [
    f"<script>{RAN}</script>",
    f'"><img src=x onerror="{RAN}">',
    f"'><svg onload={RAN}>",
    "{{7*7}}${7*7}",
]
MARK = "xssprobe"
TEXT = f"{MARK} " + " ".join(PAYLOADS)
JS_URL = f"javascript:{RAN}"
FILE_NAME = f"<img src=x onerror={RAN}>.png"
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 150, 90)).save(buffer, "PNG")
    return buffer.getvalue()


def _upload(name: str) -> io.BytesIO:
    handle = io.BytesIO(_png())
    handle.name = name
    return handle


def _by_public_form() -> None:
    response = Client().post(
        "/en/",
        {
            "incident_type": "online_enticement",
            "description": TEXT,
            "when": TEXT,
            "state": "LA",
            "location": TEXT,
            "online_where": JS_URL,
            "suspect_details": TEXT,
            "contact_name": TEXT,
            "attachments": _upload(FILE_NAME),
        },
    )
    assert response.status_code in (201, 302, 303), response.status_code


def _by_json_api(key: str) -> None:
    person = {
        "role": "reported_person",
        "first_name": TEXT,
        "last_name": TEXT,
        "notes": TEXT,
        "accounts": [
            {
                "platform": TEXT,
                "screen_name": f"{MARK}<b>handle</b>",
                "display_names": [TEXT],
                "profile_urls": [JS_URL],
                "profile_bio": TEXT,
            }
        ],
    }
    detail = {"kind": "web_page", "urls": [JS_URL], "additional_info": TEXT, "name": TEXT}
    body = {
        "external_id": "xss-1",
        "incident": {
            "type": "online_enticement",
            "description": TEXT,
            "location_text": TEXT,
            "state_code": "LA",
        },
        "people": [person],
        "internet_details": [detail],
        "files": [{"original_name": FILE_NAME, "md5": "0" * 32}],
    }
    response = Client().post(
        "/api/v1/reports",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
        HTTP_IDEMPOTENCY_KEY="xss-probe",
    )
    assert response.status_code == 201, response.content


def _by_ispws(db: Any) -> None:
    _client(db, name="xssesp")
    escaped = html.escape(TEXT, quote=True)
    document = fixture("report-maximal.xml")
    for plain in (b"Hosted by a third party.", b"Shared folder.", b"<firstName>Ada<"):
        new = escaped.encode() if not plain.startswith(b"<") else f"<firstName>{escaped}<".encode()
        document = document.replace(plain, new)
    document = document.replace(
        b"<screenName>suspect_one<", f"<screenName>{MARK}&lt;i&gt;<".encode()
    )
    esp = Esp("xssesp")
    report_id = id_of(esp.submit(document))
    assert esp.upload(report_id, _png(), name=FILE_NAME).status_code == 200
    assert esp.form("finish", report_id).status_code == 200


def _seed(db: Any, platform_key: str, analyst: User) -> list[Report]:
    _by_public_form()
    _by_json_api(platform_key)
    _by_ispws(db)
    reports = list(Report.objects.all())
    for report in reports:
        pipeline_run(report_id=report.pk)
        report_add_addendum(report=report, body=TEXT, channel=Channel.WEB)
    lagos = list(Report.objects.filter(routed_command__code="LAG"))
    for report in lagos:
        login(analyst).post(f"/console/queue/reports/{report.reference}/note/", {"body": TEXT})
        report_escalate(report=report, reason=TEXT, actor=analyst)
    assert len(reports) == 3 and lagos
    return list(Report.objects.all())


def _pages(reports: list[Report]) -> list[str]:
    fixed = [
        "/console/",
        "/console/queue/",
        "/console/queue/overdue/",
        f"/console/search/?q={MARK}",
        "/console/dashboards/",
    ]
    per_report = [
        path
        for r in reports
        for path in (f"/console/reports/{r.reference}/", f"/console/graph/report/{r.reference}/")
    ]
    return fixed + per_report


def _context(chromium: Any, live_server: Any, user: User, *, bypass_csp: bool) -> Any:
    client = Client()
    client.force_login(user)
    context = chromium.new_context(bypass_csp=bypass_csp, viewport={"width": 1280, "height": 900})
    session = client.cookies["sessionid"].value
    context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    context.add_init_script(script=WATCH)
    return context


def _visit(context: Any, base: str, path: str) -> dict[str, Any]:
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    response = page.goto(f"{base}{path}")
    page.wait_for_load_state("networkidle")
    found = {
        "status": response.status if response else None,
        "shown": MARK in page.content(),
        "ran": page.evaluate("window.__xss || 0"),
        "violations": page.evaluate("window.__violations"),
        "js_links": page.locator('a[href^="javascript:" i]').count(),
        "dialogs": dialogs,
    }
    page.close()
    return found


@pytest.mark.django_db(transaction=True)
def test_no_stored_payload_runs_on_any_console_page(
    browser: Any,  # noqa: F811
    live_server: Any,
    geo: Any,
    platform: Any,
    make_user: Callable[..., User],
) -> None:
    analyst = make_user(Role.ANALYST, ("LAG",))
    supervisor = make_user(Role.SUPERVISOR, (), national=True)
    reports = _seed(geo, platform[1], analyst)
    pages = _pages(reports)
    shown_somewhere = False
    for bypass in (True, False):
        context = _context(browser, live_server, supervisor, bypass_csp=bypass)
        for path in pages:
            seen = _visit(context, live_server.url, path)
            assert seen["status"] == 200, (path, seen)
            assert (seen["ran"], seen["dialogs"], seen["js_links"]) == (0, [], 0), (path, seen)
            assert seen["violations"] == [], (path, seen)
            shown_somewhere = shown_somewhere or seen["shown"]
        context.close()
    assert shown_somewhere  # the payloads really are on the pages, escaped


@pytest.mark.django_db(transaction=True)
def test_csv_exports_are_downloads_not_pages(
    geo: Any, platform: Any, make_user: Callable[..., User]
) -> None:
    analyst = make_user(Role.ANALYST, ("LAG",))
    supervisor = make_user(Role.SUPERVISOR, (), national=True)
    _seed(geo, platform[1], analyst)
    table = sorted(TABLES)[0]
    response = login(supervisor).get("/console/dashboards/", {"format": "csv", "table": table})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
