"""The partners' API: the pull feed pages a partner's own shares with opaque cursors, each item
exactly the package it may receive; inbound referrals become reports through report_submit once.
Outsiders (no key, wrong scope, a key of no partner, another partner) are refused."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from tipline.accounts.choices import ClientKind, Role, Scope
from tipline.accounts.services import api_client_create
from tipline.audit.models import AuditEvent
from tipline.conftest import draft
from tipline.exchange import api_urls as exchange_api_urls
from tipline.exchange.choices import PartnerKind, Section
from tipline.exchange.models import InboundReferral, Partner
from tipline.exchange.openapi import openapi_document
from tipline.exchange.services import PartnerInput, partner_create, report_share
from tipline.intake import openapi as intake_openapi
from tipline.reports.choices import Channel, PersonRole, SharingLevel
from tipline.reports.drafts import PersonDraft
from tipline.reports.models import Report
from tipline.reports.services import report_submit

FEED = "/api/v1/feed"
REFERRALS = "/api/v1/referrals"


def _partner(admin: Any, code: str, scopes: list[str], **overrides: Any) -> tuple[Partner, str]:
    created = api_client_create(
        name=f"{code} client", kind=ClientKind.PARTNER, scopes=scopes, actor=admin
    )
    values: dict[str, Any] = {
        "code": code,
        "name": f"Invented {code}",
        "kind": PartnerKind.NGO,
        "max_level": SharingLevel.AMBER,
        "sections": [Section.VICTIM_FIRST_NAME, Section.VICTIM_AGE],
        "jurisdictions": ["NG"],
        "contacts": [],
        "api_client": created.client,
    }
    values.update(overrides)
    return partner_create(data=PartnerInput(**values), actor=admin), created.api_key


@pytest.fixture
def admin(make_user: Any) -> Any:
    return make_user(Role.ADMINISTRATOR, (), national=True)


@pytest.fixture
def shelter(admin: Any) -> tuple[Partner, str]:
    return _partner(admin, "shelter", [Scope.FEED_READ, Scope.REFERRALS_SUBMIT])


def _report(level: str = SharingLevel.GREEN, name: str = "Ngozi") -> Report:
    victim = PersonDraft(role=PersonRole.VICTIM, first_name=name, last_name="Hidden", age=14)
    suspect = PersonDraft(role=PersonRole.REPORTED_PERSON, first_name="Suspectname")
    return report_submit(draft=draft(people=[victim, suspect], sharing_level=level)).report


def _get(key: str | None, **params: str) -> Any:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return Client().get(FEED, params, headers=headers)


# --------------------------------------------------------------------------- the feed


def test_feed_pages_the_partners_shares_with_opaque_cursors(
    admin: Any, shelter: tuple[Partner, str], geo: Any
) -> None:
    partner, key = shelter
    for name in ("Amaka", "Bisi", "Chidi"):
        report_share(report=_report(name=name), partner=partner, actor=admin)
    first = _get(key, limit="2").json()
    assert [i["data"]["people"][0]["first_name"] for i in first["items"]] == ["Amaka", "Bisi"]
    assert first["has_more"] is True
    second = _get(key, limit="2", cursor=first["next_cursor"]).json()
    assert [i["data"]["people"][0]["first_name"] for i in second["items"]] == ["Chidi"]
    assert second["has_more"] is False
    empty = _get(key, cursor=second["next_cursor"]).json()
    assert empty["items"] == [] and empty["next_cursor"] == second["next_cursor"]


def test_feed_item_is_exactly_the_partners_package_and_the_webhooks_body(
    admin: Any, shelter: tuple[Partner, str], geo: Any
) -> None:
    partner, key = shelter
    Partner.objects.filter(pk=partner.pk).update(webhook_url="https://shelter.invalid/hook")
    partner.refresh_from_db()
    share = report_share(report=_report(), partner=partner, actor=admin)
    item = _get(key).json()["items"][0]
    assert item["data"]["people"] == [{"role": "victim", "first_name": "Ngozi", "age": 14}]
    text = json.dumps(item)
    assert "Hidden" not in text and "Suspectname" not in text
    assert item["webhook_id"] == share.delivery.event_id
    assert json.loads(share.delivery.body)["data"] == item["data"]
    assert item["type"] == "referral.created" and item["id"] == f"shr_{share.pk:012d}"


def test_feed_read_is_audited_with_the_shares_that_left(
    admin: Any, shelter: tuple[Partner, str], geo: Any
) -> None:
    partner, key = shelter
    share = report_share(report=_report(), partner=partner, actor=admin)
    _get(key)
    event = AuditEvent.objects.filter(action="exchange.feed_read").get()
    assert event.after["shares"] == [share.pk]
    _get(key, cursor=_get(key).json()["next_cursor"])  # an empty page leaves nothing: no row
    assert AuditEvent.objects.filter(action="exchange.feed_read").count() == 2


def test_feed_withholds_a_share_whose_report_has_since_gone_red(
    admin: Any, shelter: tuple[Partner, str], geo: Any
) -> None:
    partner, key = shelter
    report = _report()
    report_share(report=report, partner=partner, actor=admin)
    Report.objects.filter(pk=report.pk).update(sharing_level=SharingLevel.RED)
    item = _get(key).json()["items"][0]
    assert "data" not in item and "TLP:RED" in item["withheld"]
    assert "Ngozi" not in json.dumps(item)


def test_feed_never_shows_another_partners_shares_nor_takes_its_cursor(
    admin: Any, shelter: tuple[Partner, str], geo: Any
) -> None:
    partner, key = shelter
    police, police_key = _partner(
        admin, "police", [Scope.FEED_READ], kind=PartnerKind.LAW_ENFORCEMENT
    )
    report_share(report=_report(name="ForPolice"), partner=police, actor=admin)
    assert _get(key).json()["items"] == []
    police_cursor = _get(police_key).json()["next_cursor"]
    refused = _get(key, cursor=police_cursor)
    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/problem+json"
    assert _get(key, cursor=police_cursor[:-2] + "xx").status_code == 400


@pytest.mark.parametrize("limit", ["0", "501", "ten", "-1"])
def test_feed_refuses_a_bad_limit(shelter: tuple[Partner, str], limit: str) -> None:
    response = _get(shelter[1], limit=limit)
    assert response.status_code == 400 and response.json()["title"] == "Invalid limit."


def test_feed_outsiders_are_refused(admin: Any, shelter: tuple[Partner, str], geo: Any) -> None:
    partner, _key = shelter
    report_share(report=_report(), partner=partner, actor=admin)
    assert _get(None).status_code == 401
    assert _get("not-a-key").status_code == 401
    _p, referrals_only = _partner(admin, "other", [Scope.REFERRALS_SUBMIT])
    assert _get(referrals_only).status_code == 403
    stray = api_client_create(
        name="No partner", kind=ClientKind.PLATFORM, scopes=[Scope.FEED_READ], actor=admin
    )
    no_partner = _get(stray.api_key)
    assert no_partner.status_code == 403 and "no active partner" in no_partner.json()["detail"]
    Partner.objects.filter(pk=partner.pk).update(is_active=False)
    assert _get(shelter[1]).status_code == 403
    assert Client().post(FEED, HTTP_AUTHORIZATION=f"Bearer {shelter[1]}").status_code == 405


def test_feed_is_rate_limited(shelter: tuple[Partner, str], settings: Any) -> None:
    cache.clear()
    settings.RATE_LIMIT_API_PER_MINUTE = 2
    assert _get(shelter[1]).status_code == 200
    assert _get(shelter[1]).status_code == 200
    limited = _get(shelter[1])
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1
    cache.clear()


def test_feed_costs_the_same_queries_for_one_item_or_fifty(
    admin: Any,
    shelter: tuple[Partner, str],
    geo: Any,
    django_assert_max_num_queries: Any,
    settings: Any,
) -> None:
    # The rate limit's counter in memory, so that only the feed's own queries are counted.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    partner, key = shelter
    report = _report()
    report_share(report=report, partner=partner, actor=admin)
    # The key, the partner, one page, the audit row (savepoint, chain head, insert, update).
    with django_assert_max_num_queries(8) as one:
        assert len(_get(key).json()["items"]) == 1
    for _ in range(49):
        report_share(report=report, partner=partner, actor=admin)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(_get(key).json()["items"]) == 50


# --------------------------------------------------------------------------- referrals in


def _referral(external_id: str = "SH-0001", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "external_id": external_id,
        "note": "A girl at our shelter describes being recruited for work in Lagos.",
        "incident": {
            "type": "deceptive_recruitment",
            "description": "An invented recruiter promised an invented girl a job.",
            "state_code": "LA",
        },
        "people": [
            {"role": "victim", "first_name": "Invented", "age": 15},
            {"role": "reported_person", "phones": [{"number": "08031234567"}]},
        ],
        "sharing_level": "TLP:AMBER",
    }
    body.update(overrides)
    return body


def _post(key: str | None, body: Any, content_type: str = "application/json") -> Any:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return Client().post(REFERRALS, data=data, content_type=content_type, headers=headers)


def test_a_referral_becomes_a_report_with_the_partner_as_source(
    shelter: tuple[Partner, str], geo: Any
) -> None:
    partner, key = shelter
    response = _post(key, _referral())
    assert response.status_code == 201
    report = Report.objects.get(reference=response.json()["reference"])
    assert report.channel == Channel.PARTNER
    assert report.api_client_id == partner.api_client_id
    assert report.external_id == "SH-0001"
    assert report.extra["partner"]["code"] == "shelter"
    assert "recruited" in report.extra["partner"]["note"]
    assert report.people.count() == 2
    assert InboundReferral.objects.get().report == report
    audit = AuditEvent.objects.get(action="referral.received")
    assert audit.after["partner"] == "shelter" and audit.actor_label == "client:shelter client"
    assert AuditEvent.objects.filter(action="report.submitted", object_id=str(report.pk)).exists()


def test_the_same_referral_again_stores_nothing_and_another_body_is_refused(
    shelter: tuple[Partner, str], geo: Any
) -> None:
    key = shelter[1]
    first = _post(key, _referral())
    again = _post(key, _referral())
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json()["reference"] == first.json()["reference"]
    changed = _post(key, _referral(note="Something else"))
    assert changed.status_code == 409 and changed["Content-Type"] == "application/problem+json"
    assert Report.objects.count() == 1


def test_two_partners_may_use_the_same_referral_id(
    admin: Any, shelter: tuple[Partner, str], geo: Any
) -> None:
    _p, police_key = _partner(admin, "police", [Scope.REFERRALS_SUBMIT])
    assert _post(shelter[1], _referral()).status_code == 201
    assert _post(police_key, _referral()).status_code == 201
    assert Report.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "content_type", "status", "field"),
    [
        (_referral(external_id=""), "application/json", 400, "external_id"),
        (
            {k: v for k, v in _referral().items() if k != "external_id"},
            "application/json",
            400,
            "external_id",
        ),
        (_referral(incident={"type": "nonsense"}), "application/json", 400, "incident.type"),
        (
            _referral(files=[{"storage_key": "x" * 40}]),
            "application/json",
            400,
            "files.0.storage_key",
        ),
        (_referral(files=[{"original_name": "a.jpg"}]), "application/json", 400, "files[0]"),
        ("{not json", "application/json", 400, None),
        ("external_id=1", "application/x-www-form-urlencoded", 415, None),
    ],
)
def test_a_bad_referral_is_a_clear_problem_and_stores_nothing(
    shelter: tuple[Partner, str],
    geo: Any,
    body: Any,
    content_type: str,
    status: int,
    field: str | None,
) -> None:
    response = _post(shelter[1], body, content_type)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    if field:
        assert field in response.json()["fields"], response.json()
    assert not Report.objects.exists() and not InboundReferral.objects.exists()


def test_a_referral_body_over_the_ceiling_is_413(
    shelter: tuple[Partner, str], geo: Any, settings: Any
) -> None:
    settings.API_MAX_BODY_BYTES = 100
    assert _post(shelter[1], _referral()).status_code == 413
    assert not Report.objects.exists()


def test_referral_outsiders_are_refused(admin: Any, shelter: tuple[Partner, str], geo: Any) -> None:
    assert _post(None, _referral()).status_code == 401
    _p, feed_only = _partner(admin, "feedonly", [Scope.FEED_READ])
    assert _post(feed_only, _referral()).status_code == 403
    stray = api_client_create(
        name="Platform", kind=ClientKind.PLATFORM, scopes=[Scope.REFERRALS_SUBMIT], actor=admin
    )
    assert _post(stray.api_key, _referral()).status_code == 403
    assert not Report.objects.exists()
    get = Client().get(REFERRALS, HTTP_AUTHORIZATION=f"Bearer {shelter[1]}")
    assert get.status_code == 405


def test_the_openapi_document_describes_the_feed_and_referrals(db: Any) -> None:
    doc = Client().get("/api/v1/exchange/openapi.json").json()
    assert doc == openapi_document()
    assert set(doc["paths"]) == {"/api/v1/feed", "/api/v1/referrals"}
    params = {p["name"] for p in doc["paths"]["/api/v1/feed"]["get"]["parameters"]}
    assert params == {"cursor", "limit"}
    referral = doc["components"]["schemas"]["ReferralInput"]
    assert "external_id" in referral["required"] and "note" in referral["properties"]
    assert reverse("exchange_api:feed") == FEED


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        own = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return own.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def test_every_exchange_route_is_in_the_apis_main_openapi_document(db: Any) -> None:
    doc = Client().get("/api/v1/openapi.json").json()
    # The documents themselves are not endpoints the document describes.
    routes = [p for p in exchange_api_urls.urlpatterns if not str(p.pattern).endswith(".json")]
    assert routes  # the feed and referrals
    for route in routes:
        path = f"/api/v1/{route.pattern}"
        assert path in doc["paths"], f"{path} is not in /api/v1/openapi.json"
        assert doc["paths"][path] == openapi_document()["paths"][path]
    assert {"/api/v1/reports", "/api/v1/screen"} <= set(doc["paths"])  # intake's own, still
    schemas = doc["components"]["schemas"]
    assert {r.removeprefix("#/components/schemas/") for r in _refs(doc)} <= set(schemas)
    assert "ReferralInput" in schemas and "Feed" in schemas and "ReportInput" in schemas


def test_a_part_that_contradicts_the_main_document_is_refused(settings: Any) -> None:
    settings.API_OPENAPI_PARTS = [f"{__name__}._clashing_part"]
    intake_openapi.openapi_document.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match="/api/v1/reports"):
            intake_openapi.openapi_document()
    finally:
        intake_openapi.openapi_document.cache_clear()


def _clashing_part() -> dict[str, Any]:
    return {"paths": {"/api/v1/reports": {"get": {}}}, "schemas": {}}
