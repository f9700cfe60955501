"""Signed webhooks, delivered from the worker's job to a partner's endpoint: a local HTTP server
on 127.0.0.1 started here plays the partner, and the reference `standardwebhooks` library is
its verifier. No other network."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from freezegun import freeze_time
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tipline.audit.models import AuditEvent
from tipline.common.time import utcnow
from tipline.conftest import draft
from tipline.exchange.choices import DeliveryState, PartnerKind, Section
from tipline.exchange.models import Partner, WebhookDelivery
from tipline.exchange.services import (
    PartnerInput,
    partner_create,
    report_share,
    retry_delay,
    webhook_replay,
    webhook_secret_rotate,
)
from tipline.exchange.tasks import live_secrets, webhooks_deliver_due
from tipline.reports.choices import PersonRole, SharingLevel
from tipline.reports.drafts import PersonDraft
from tipline.reports.models import Report
from tipline.reports.services import report_submit


class Endpoint:
    """A partner's endpoint: records what it receives, answers with the statuses queued."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802  # the stdlib's name
                body = self.rfile.read(int(self.headers["content-length"]))
                endpoint.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = endpoint.statuses.pop(0) if endpoint.statuses else 204
                self.send_response(status)
                if status == 302:
                    self.send_header("location", "http://127.0.0.1:9/elsewhere")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    e = Endpoint()
    yield e
    e.server.shutdown()
    e.server.server_close()


def _partner(endpoint: Endpoint, admin: Any, **overrides: Any) -> Partner:
    values: dict[str, Any] = {
        "code": "shelter",
        "name": "Invented Shelter",
        "kind": PartnerKind.NGO,
        "max_level": SharingLevel.AMBER,
        "sections": [Section.VICTIM_FIRST_NAME, Section.VICTIM_AGE, Section.VICTIM_NEEDS],
        "jurisdictions": ["NG-LA"],
        "contacts": [{"name": "Invented Contact", "email": "contact@example.org"}],
        "webhook_url": endpoint.url,
    }
    return partner_create(data=PartnerInput(**(values | overrides)), actor=admin)


def _report() -> Report:
    victim = PersonDraft(role=PersonRole.VICTIM, first_name="Ngozi", last_name="Hidden", age=14)
    suspect = PersonDraft(role=PersonRole.REPORTED_PERSON, first_name="Suspect", last_name="Hidden")
    d = draft(people=[victim, suspect], sharing_level=SharingLevel.GREEN)
    return report_submit(draft=d).report


@pytest.fixture
def admin(make_user: Any) -> Any:
    return make_user("administrator", (), national=True)


def test_shelter_receives_a_signed_delivery_its_verifier_accepts(
    endpoint: Endpoint, admin: Any
) -> None:
    partner = _partner(endpoint, admin)
    share = report_share(report=_report(), partner=partner, actor=admin, reason="Shelter place")
    assert webhooks_deliver_due() == 1
    ((headers, body),) = endpoint.received
    event = Webhook(live_secrets(partner.pk)[0]).verify(body, headers)
    assert event["type"] == "referral.created"
    assert event["data"]["people"] == [{"role": "victim", "first_name": "Ngozi", "age": 14}]
    assert b"Hidden" not in body and b"Suspect" not in body
    delivery = WebhookDelivery.objects.get(share=share)
    assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 1)
    assert headers["webhook-id"] == delivery.event_id
    audited = AuditEvent.objects.get(action="report.shared", object_id=str(share.report_id))
    assert (
        audited.after["fields"]
        == share.fields
        == [
            "people[victim].age",
            "people[victim].first_name",
            "reference",
            "schema",
            "sections",
            "tlp",
        ]
    )


def test_verifier_rejects_a_tampered_or_replayed_delivery(endpoint: Endpoint, admin: Any) -> None:
    partner = _partner(endpoint, admin)
    report_share(report=_report(), partner=partner, actor=admin)
    webhooks_deliver_due()
    ((headers, body),) = endpoint.received
    verifier = Webhook(live_secrets(partner.pk)[0])
    with pytest.raises(WebhookVerificationError):
        verifier.verify(body.replace(b"Ngozi", b"Nkechi"), headers)
    with pytest.raises(WebhookVerificationError):
        verifier.verify(body, headers | {"webhook-id": "msg_999999999999"})
    with freeze_time(utcnow() + timedelta(minutes=10)), pytest.raises(WebhookVerificationError):
        verifier.verify(body, headers)  # replayed later: the timestamp is out of tolerance
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 44).verify(body, headers)  # someone else's secret


def test_during_a_rotation_both_old_and_new_secrets_verify(endpoint: Endpoint, admin: Any) -> None:
    partner = _partner(endpoint, admin)
    old = live_secrets(partner.pk)[0]
    new = webhook_secret_rotate(partner=partner, actor=admin)
    report_share(report=_report(), partner=partner, actor=admin)
    webhooks_deliver_due()
    ((headers, body),) = endpoint.received
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        assert Webhook(secret).verify(body, headers)["type"] == "referral.created"
    webhook_secret_rotate(partner=partner, actor=admin, overlap=timedelta(0))
    assert old not in live_secrets(partner.pk) and new not in live_secrets(partner.pk)


def test_a_failed_delivery_backs_off_then_becomes_a_dead_letter_that_replays(
    endpoint: Endpoint, admin: Any, settings: Any
) -> None:
    settings.EXCHANGE_WEBHOOK_MAX_ATTEMPTS = 2
    partner = _partner(endpoint, admin)
    share = report_share(report=_report(), partner=partner, actor=admin)
    endpoint.statuses = [500, 302]
    before = utcnow()
    webhooks_deliver_due()
    delivery = WebhookDelivery.objects.get(share=share)
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
    wait = (delivery.next_attempt_at - before).total_seconds()
    assert 15 <= wait <= 31, wait  # 30 s with jitter: half to all of it
    assert webhooks_deliver_due() == 0  # not due yet
    with freeze_time(utcnow() + timedelta(minutes=1)):
        webhooks_deliver_due()  # a redirect is not followed: the package goes nowhere else
    delivery.refresh_from_db()
    assert (delivery.state, delivery.last_status) == (DeliveryState.DEAD, 302)
    webhook_replay(delivery=delivery, actor=admin)
    webhooks_deliver_due()
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    ids = [h["webhook-id"] for h, _ in endpoint.received]
    assert ids == [delivery.event_id] * 3  # the same event id each time: partners dedupe on it


def test_a_partner_receives_its_events_in_order_even_when_one_is_retried(
    endpoint: Endpoint, admin: Any
) -> None:
    partner = _partner(endpoint, admin)
    first = report_share(report=_report(), partner=partner, actor=admin).delivery
    second = report_share(report=_report(), partner=partner, actor=admin).delivery
    endpoint.statuses = [503]
    webhooks_deliver_due()
    assert [h["webhook-id"] for h, _ in endpoint.received] == [first.event_id]
    with freeze_time(utcnow() + timedelta(minutes=1)):
        webhooks_deliver_due()
    assert [h["webhook-id"] for h, _ in endpoint.received] == [
        first.event_id,
        first.event_id,
        second.event_id,
    ]


def test_retry_delays_grow_exponentially_with_jitter_and_a_ceiling() -> None:
    for attempts in range(1, 20):
        ceiling = min(30 * 2 ** (attempts - 1), 6 * 3600)
        assert ceiling / 2 <= retry_delay(attempts) <= ceiling
    assert len({retry_delay(5) for _ in range(20)}) > 1


def test_a_redacted_delivery_body_is_encrypted_at_rest(endpoint: Endpoint, admin: Any) -> None:
    partner = _partner(endpoint, admin)
    share = report_share(report=_report(), partner=partner, actor=admin)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM exchange_webhookdelivery WHERE share_id = %s", [share.pk])
        (stored,) = cursor.fetchone()
    assert "Ngozi" not in stored
    assert json.loads(WebhookDelivery.objects.get(share=share).body)["data"]["reference"]


def test_the_job_stops_at_its_time_budget_and_leaves_the_rest_due(
    endpoint: Endpoint, admin: Any
) -> None:
    partner = _partner(endpoint, admin)
    other = _partner(endpoint, admin, code="police", name="Invented Police")
    report_share(report=_report(), partner=partner, actor=admin)
    report_share(report=_report(), partner=other, actor=admin)
    assert webhooks_deliver_due(budget=0.0) == 0
    assert endpoint.received == []
    assert webhooks_deliver_due() == 2
    assert len(endpoint.received) == 2
