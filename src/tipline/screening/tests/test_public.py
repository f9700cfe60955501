"""The public 'check a job offer' page: five languages, nothing stored, a prefilled report."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from tipline.audit.models import AuditEvent
from tipline.reports.models import Report
from tipline.screening.models import ReportScreening

PIDGIN_OFFER = (
    "Oga for Italy dey find fine girls for work. Dem go pay for your visa and ticket, you go "
    "pay am back when you start work. You go swear for shrine. No tell your mama."
)


@pytest.fixture(autouse=True)
def _no_counts(db: Any) -> None:
    cache.clear()


def _stored() -> tuple[int, int, int]:
    return Report.objects.count(), ReportScreening.objects.count(), AuditEvent.objects.count()


@pytest.mark.parametrize("lang", ["en", "ha", "yo", "ig", "pcm"])
def test_the_page_opens_in_each_language(db: Any, lang: str) -> None:
    response = Client().get(f"/{lang}/check/")
    assert response.status_code == 200
    assert f'lang="{lang}"' in response.content.decode()


def test_an_offer_in_pidgin_is_told_its_warning_signs_in_pidgin(db: Any) -> None:
    before = _stored()
    response = Client().post("/pcm/check/", {"offer": PIDGIN_OFFER})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Swear or shrine" in page  # the Pidgin name of the oath sign
    assert "Dem dey ask" not in page  # no passport sign in this offer
    assert "you go pay am back" in page.replace("&#x27;", "'")  # the triggering words
    assert _stored() == before  # nothing kept


def test_a_phone_known_to_the_agency_is_never_revealed(geo: Any) -> None:
    from tipline.conftest import draft
    from tipline.pipeline.services import pipeline_run
    from tipline.reports.services import report_submit

    pipeline_run(report_id=report_submit(draft=draft()).report.pk)  # holds 08031234567
    response = Client().post("/en/check/", {"offer": "Work abroad. Call 08031234567."})
    page = response.content.decode()
    assert "already in reports" not in page and "TL-" not in page


def test_choosing_to_report_opens_the_report_form_prefilled_once(db: Any) -> None:
    client = Client()
    response = client.post("/en/check/", {"offer": "Free visa to Libya.", "report": "1"})
    assert response.status_code == 303 and response["Location"] == "/en/"
    form = client.get("/en/").content.decode()
    assert "Free visa to Libya." in form
    assert 'value="deceptive_recruitment" selected' in form
    assert "Free visa to Libya." not in client.get("/en/").content.decode()


def test_an_empty_or_too_long_offer_is_a_clear_400(db: Any) -> None:
    assert Client().post("/en/check/", {"offer": ""}).status_code == 400
    response = Client().post("/yo/check/", {"offer": "x" * 5001})
    assert response.status_code == 400


@override_settings(RATE_LIMIT_PUBLIC_PER_HOUR=2)
def test_checks_are_rate_limited_per_connection(db: Any) -> None:
    client = Client()
    codes = [client.post("/en/check/", {"offer": "Job offer"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_the_page_carries_the_security_policy_and_is_not_cached(db: Any) -> None:
    response = Client().get("/en/check/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("lang", "heading"),
    [("pcm", "Check job or travel offer"), ("ha", "Duba tayin aiki ko tafiya"), ("en", "Check a")],
)
def test_the_page_speaks_the_chosen_language(db: Any, lang: str, heading: str) -> None:
    page = Client().get(f"/{lang}/check/").content.decode()
    assert f"<h1>{heading}" in page


def test_each_catalogue_of_the_page_is_marked_for_native_speaker_review() -> None:
    from pathlib import Path

    locale = Path(__file__).resolve().parents[1] / "locale"
    for lang in ("ha", "yo", "ig", "pcm"):
        text = (locale / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
        entries = text.count('msgid "') - 1
        assert text.count("# Needs review by a native speaker") == entries > 15
