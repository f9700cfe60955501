"""POST /api/v1/screen: partners screen batches by key and scope; nothing is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from tipline.accounts.choices import ClientKind, Scope
from tipline.accounts.services import api_client_create
from tipline.audit.models import AuditEvent
from tipline.conftest import draft
from tipline.intake.openapi import openapi_document
from tipline.pipeline.services import pipeline_run
from tipline.reports.models import Report
from tipline.reports.services import report_submit
from tipline.screening.models import ReportScreening

URL = "/api/v1/screen"
OFFERS = [
    {"text": "Free visa and ticket to Libya, you go pay back from your salary. WhatsApp only."},
    {"text": "Accountant wanted in Ikeja; three years' experience; apply on our website."},
]


@pytest.fixture
def partner(db: Any) -> str:
    cache.clear()
    created = api_client_create(name="Partner NGO", kind=ClientKind.PARTNER, scopes=["screening"])
    return created.api_key


def _post(key: str | None, body: Any) -> Any:
    auth = {"Authorization": f"Bearer {key}"} if key else {}
    data = body if isinstance(body, str) else json.dumps(body)
    return Client().post(URL, data, content_type="application/json", headers=auth)


def test_a_partner_screens_a_batch_and_gets_indicators_with_explanations(partner: str) -> None:
    before = (Report.objects.count(), ReportScreening.objects.count())
    response = _post(partner, {"texts": OFFERS})
    assert response.status_code == 200
    first, second = response.json()["results"]
    assert first["index"] == 0 and first["level"] == "high"
    debt = next(f for f in first["findings"] if f["indicator"] == "travel_debt")
    assert debt["name"] == "A debt for the journey" and "ILO" in debt["explanation"]
    assert debt["triggers"] == ["you go pay back"] and "ilo" in debt["sources"]
    assert (second["level"], second["findings"]) == ("none", [])
    assert (Report.objects.count(), ReportScreening.objects.count()) == before


def test_a_phone_linked_to_a_report_raises_the_level_and_names_the_report(
    partner: str, geo: Any
) -> None:
    report = report_submit(draft=draft()).report  # holds 08031234567
    pipeline_run(report_id=report.pk)  # which the extract step records
    body = {"texts": [{"text": "Job abroad, WhatsApp only.", "phones": ["0803 123 4567"]}]}
    [result] = _post(partner, body).json()["results"]
    assert result["level"] == "medium"
    linked = next(f for f in result["findings"] if f["indicator"] == "linked_identifier")
    assert linked["linked_reports"] == [report.reference]
    assert {"kind": "phone", "value": "+2348031234567"} in result["identifiers"]
    audit = AuditEvent.objects.get(action="screening.api_screened")
    assert audit.after["disclosed"] == [report.reference] and audit.actor_label.startswith("api:")
    assert "Job abroad" not in json.dumps(audit.after)  # the text itself is never kept


def test_no_key_a_wrong_key_and_a_key_without_the_scope_are_refused(partner: str, db: Any) -> None:
    platform = api_client_create(
        name="Platform", kind=ClientKind.PLATFORM, scopes=[Scope.REPORTS_SUBMIT]
    ).api_key
    assert _post(None, {"texts": OFFERS}).status_code == 401
    assert _post("wrong", {"texts": OFFERS}).status_code == 401
    refused = _post(platform, {"texts": OFFERS})
    assert refused.status_code == 403 and "screening" in refused.json()["error"]


def test_a_batch_over_100_or_empty_or_malformed_is_a_400_with_field_messages(
    partner: str,
) -> None:
    too_many = _post(partner, {"texts": [{"text": "a"}] * 101})
    assert too_many.status_code == 400 and "texts" in too_many.json()["fields"]
    assert _post(partner, {"texts": []}).status_code == 400
    assert _post(partner, {"texts": [{"text": ""}]}).status_code == 400
    assert _post(partner, {"texts": [{"text": "a", "extra": 1}]}).status_code == 400
    assert _post(partner, "{not json").status_code == 400
    assert _post(partner, {"texts": [{"text": "a" * 20_001}]}).status_code == 400


def test_a_batch_of_exactly_100_is_answered_item_by_item(partner: str) -> None:
    response = _post(partner, {"texts": [{"text": "Free visa!"}] * 100})
    assert [r["index"] for r in response.json()["results"]] == list(range(100))


def test_wrong_content_type_and_method_are_refused(partner: str) -> None:
    auth = {"Authorization": f"Bearer {partner}"}
    assert Client().post(URL, "x", content_type="text/plain", headers=auth).status_code == 415
    assert Client().get(URL, headers=auth).status_code == 405


@override_settings(API_MAX_BODY_BYTES=1024)
def test_an_oversized_body_is_a_413(partner: str) -> None:
    assert _post(partner, {"texts": [{"text": "a" * 2000}]}).status_code == 413


@override_settings(RATE_LIMIT_API_PER_MINUTE=2)
def test_the_api_rate_limit_applies(partner: str) -> None:
    codes = [_post(partner, {"texts": OFFERS[:1]}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_the_endpoint_is_in_the_openapi_document() -> None:
    doc = openapi_document()
    assert "/api/v1/screen" in doc["paths"]
    texts = doc["components"]["schemas"]["ScreenRequest"]["properties"]["texts"]
    assert texts["maxItems"] == 100
