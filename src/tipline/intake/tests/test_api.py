from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from tipline.accounts.choices import ClientKind, Scope
from tipline.accounts.services import api_client_create
from tipline.reports.models import Report

URL = "/api/v1/reports"
BATCH = "/api/v1/reports/batch"


@pytest.fixture(autouse=True)
def _clear_rate_limits(db: Any) -> None:
    cache.clear()


def _report(**incident: Any) -> dict[str, Any]:
    return {
        "external_id": "ext-1",
        "incident": {
            "type": "online_enticement",
            "description": "Invented account grooms an invented child.",
            "state_code": "LA",
            **incident,
        },
        "people": [
            {
                "role": "reported_person",
                "accounts": [{"platform": "Instagram", "screen_name": "made_up_99"}],
            }
        ],
    }


def _post(key: str | None, body: Any, url: str = URL, **headers: Any) -> Any:
    extra: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return Client().post(
        url,
        data=data,
        content_type=headers.pop("content_type", "application/json"),
        **extra,
        **headers,
    )


def test_submit_one_report(platform: Any, geo: Any) -> None:
    _, key = platform
    response = _post(key, _report())
    assert response.status_code == 201, response.content
    body = response.json()
    report = Report.objects.get(reference=body["reference"])
    assert report.channel == "api" and report.external_id == "ext-1"
    assert body["receipt_code"] and body["status"] == "received"
    assert json.loads(report.raw_record)["external_id"] == "ext-1"


def test_missing_or_wrong_key_is_401(platform: Any) -> None:
    assert _post(None, _report()).status_code == 401
    response = _post("not-a-real-key", _report())
    assert response.status_code == 401 and "Bearer" in response["WWW-Authenticate"]
    assert not Report.objects.exists()


def test_key_without_scope_is_403(db: Any) -> None:
    key = api_client_create(
        name="Read only", kind=ClientKind.PARTNER, scopes=[Scope.REPORTS_READ]
    ).api_key
    assert _post(key, _report()).status_code == 403


def test_inactive_client_is_401(platform: Any) -> None:
    client, key = platform
    client.is_active = False
    client.save(update_fields=["is_active"])
    assert _post(key, _report()).status_code == 401


def test_wrong_content_type_is_415(platform: Any) -> None:
    _, key = platform
    response = _post(key, "incident=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert not Report.objects.exists()


@override_settings(API_MAX_BODY_BYTES=2048)
def test_oversized_body_is_413(platform: Any) -> None:
    _, key = platform
    response = _post(key, _report(description="x" * 5000))
    assert response.status_code == 413
    assert not Report.objects.exists()


def test_invalid_json_is_400(platform: Any) -> None:
    _, key = platform
    assert _post(key, b"{not json").status_code == 400
    assert _post(key, b"\xff\xfe{}").status_code == 400


def test_field_errors_are_reported_per_field_and_nothing_is_stored(platform: Any) -> None:
    _, key = platform
    body = _report(type="not-a-type", occurred_at="2999-01-01T00:00:00Z")
    body["people"][0]["role"] = "martian"
    body["surprise"] = 1
    response = _post(key, body)
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert {"incident.type", "incident.occurred_at", "people.0.role", "surprise"} <= set(fields)
    assert "future" in " ".join(fields["incident.occurred_at"])
    assert not Report.objects.exists()


def test_unknown_state_code_is_a_400_with_its_field(platform: Any, geo: Any) -> None:
    _, key = platform
    response = _post(key, _report(state_code="ZZ"))
    assert response.status_code == 400
    assert "incident.state_code" in response.json()["fields"]


@override_settings(RATE_LIMIT_API_PER_MINUTE=2)
def test_rate_limit_is_429_with_retry_after(
    platform: Any, geo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The limit counts per fixed window: the clock is held mid-window so that a window boundary
    # between the posts cannot reset the count (the test failed that way near a full minute).
    clock = SimpleNamespace(time=lambda: 1_800_000_030.0)
    monkeypatch.setattr("tipline.common.ratelimit.time", clock)
    _, key = platform
    assert _post(key, _report()).status_code == 201
    assert _post(key, _report()).status_code == 201
    limited = _post(key, _report())
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1
    assert Report.objects.count() == 2


def test_idempotent_replay_returns_the_original_and_stores_nothing(platform: Any, geo: Any) -> None:
    _, key = platform
    first = _post(key, _report(), HTTP_IDEMPOTENCY_KEY="k-1")
    again = _post(key, _report(), HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Report.objects.count() == 1


def test_same_key_different_body_is_409(platform: Any, geo: Any) -> None:
    _, key = platform
    assert _post(key, _report(), HTTP_IDEMPOTENCY_KEY="k-2").status_code == 201
    assert _post(key, _report(description="other"), HTTP_IDEMPOTENCY_KEY="k-2").status_code == 409
    assert Report.objects.count() == 1


def test_idempotency_keys_are_per_client(platform: Any, geo: Any) -> None:
    _, key = platform
    other = api_client_create(
        name="Other", kind=ClientKind.PLATFORM, scopes=[Scope.REPORTS_SUBMIT]
    ).api_key
    assert _post(key, _report(), HTTP_IDEMPOTENCY_KEY="same").status_code == 201
    assert _post(other, _report(), HTTP_IDEMPOTENCY_KEY="same").status_code == 201
    assert Report.objects.count() == 2


def test_batch_answers_item_by_item(platform: Any, geo: Any) -> None:
    _, key = platform
    bad = _report(type="nope")
    response = _post(key, {"reports": [_report(), bad, _report()]}, url=BATCH)
    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (2, 1)
    assert [r["http_status"] for r in body["results"]] == [201, 400, 201]
    assert "incident.type" in body["results"][1]["fields"]
    assert Report.objects.count() == 2


def test_batch_over_1000_is_refused_whole(platform: Any, geo: Any) -> None:
    _, key = platform
    small = {"incident": {"type": "forced_begging"}}
    response = _post(key, {"reports": [small] * 1001}, url=BATCH)
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_batch_replay_is_idempotent(platform: Any, geo: Any) -> None:
    _, key = platform
    body = {"reports": [_report(), _report()]}
    first = _post(key, body, url=BATCH, HTTP_IDEMPOTENCY_KEY="b-1")
    again = _post(key, body, url=BATCH, HTTP_IDEMPOTENCY_KEY="b-1")
    assert first.json() == again.json()
    assert Report.objects.count() == 2


def test_get_own_report_status(platform: Any, geo: Any) -> None:
    _, key = platform
    reference = _post(key, _report()).json()["reference"]
    response = Client().get(f"{URL}/{reference}", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json()["reference"] == reference
    assert "receipt_code" not in response.json()


def test_outsider_client_gets_404_for_another_clients_report(platform: Any, geo: Any) -> None:
    _, key = platform
    reference = _post(key, _report()).json()["reference"]
    other = api_client_create(
        name="Other", kind=ClientKind.PLATFORM, scopes=[Scope.REPORTS_SUBMIT]
    ).api_key
    response = Client().get(f"{URL}/{reference}", HTTP_AUTHORIZATION=f"Bearer {other}")
    missing = Client().get(f"{URL}/TL-2000-000001", HTTP_AUTHORIZATION=f"Bearer {other}")
    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json()


def test_openapi_document_describes_the_endpoints(db: Any) -> None:
    response = Client().get("/api/v1/openapi.json")
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/v1/reports", "/api/v1/reports/batch", "/api/v1/reports/{reference}"} <= set(
        doc["paths"]
    )
    schemas = doc["components"]["schemas"]
    assert "IncidentDraft" in schemas and "ReportInput" in schemas
    assert "ReportDraft" not in schemas  # server-side fields are not part of the public schema
    assert Client().get("/api/v1/docs").status_code == 200


def test_get_with_wrong_method_is_405(platform: Any) -> None:
    _, key = platform
    response = Client().get(URL, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 405


def test_writing_to_a_report_status_is_a_json_api_405_not_a_csrf_page(
    platform: Any, geo: Any
) -> None:
    for method in ("post", "put", "delete"):
        response = getattr(Client(), method)(
            "/api/v1/reports/TL-2026-000001", HTTP_AUTHORIZATION=f"Bearer {platform[1]}"
        )
        assert response.status_code == 405, method


def test_a_nul_character_is_a_400_with_a_reason_not_a_500(platform: Any, geo: Any) -> None:
    response = _post(
        platform[1], _report(description="before\u0000after"), HTTP_IDEMPOTENCY_KEY="n"
    )
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
    assert not Report.objects.exists()
