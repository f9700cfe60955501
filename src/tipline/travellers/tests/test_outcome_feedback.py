"""Feedback to the sender (issue 19): a notice's outcome goes back to the partner that sent it
through the exchange (a `notice.outcome` share, signed webhook or feed), scoped by the partner's
level and profile, once per outcome, after the commit, audited; the notice page shows each
delivery's state and lets the national desk send the latest outcome or re-send a failed one.
A local HTTP server on 127.0.0.1 plays the partner; `standardwebhooks` verifies. No network."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from standardwebhooks.webhooks import Webhook

from tipline.accounts.choices import ClientKind, Role, Scope
from tipline.accounts.models import User
from tipline.accounts.services import api_client_create
from tipline.audit.models import AuditEvent
from tipline.common.time import utcnow
from tipline.conftest import login
from tipline.exchange.choices import DeliveryState, EventType, PartnerKind, Section
from tipline.exchange.events import notice_outcome_announce
from tipline.exchange.models import Partner, Share, WebhookDelivery
from tipline.exchange.packages import SharingRefused, notice_outcome_package
from tipline.exchange.services import (
    PartnerInput,
    feed_read,
    notice_outcome_send,
    notice_outcome_share,
    partner_create,
    webhook_delivery_record,
)
from tipline.exchange.tasks import live_secrets, webhooks_deliver_due
from tipline.exchange.tests.test_webhooks import Endpoint
from tipline.reports.choices import SharingLevel
from tipline.travellers.choices import EventKind, NoticeStatus, Outcome, Source
from tipline.travellers.models import Notice, NoticeEvent
from tipline.travellers.services import (
    notice_purge,
    notice_receive,
    notice_set_outcome,
    notice_transition,
)
from tipline.travellers.tests.conftest import notice_input

pytestmark = pytest.mark.django_db

SENDER = "Invented Sending Agency"  # the agency `notice_input` names
# What a notice holds that must never reach a partner, whatever its profile.
NEVER = (
    "Invented conviction 2009",
    "two girls aged 9 and 11",
    "Invented Palm Hotel",
    "+447700900123",
    "Invented Fixer",
    "Invented note",
)


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    e = Endpoint()
    yield e
    e.server.shutdown()
    e.server.server_close()


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.ADMINISTRATOR, (), national=True)


def _partner(admin: User, **overrides: Any) -> Partner:
    values: dict[str, Any] = {
        "code": "sender",
        "name": SENDER,
        "kind": PartnerKind.LAW_ENFORCEMENT,
        "max_level": SharingLevel.AMBER,
        "sections": list(Section.values),
        "jurisdictions": ["GB"],
        "contacts": [{"name": "Invented Contact", "email": "contact@example.org"}],
        "webhook_url": "",
    }
    return partner_create(data=PartnerInput(**(values | overrides)), actor=admin)


@pytest.fixture
def full_notice(desk_officer: User) -> Notice:
    """A notice whose subject arrived yesterday, with everything that must stay home."""
    data = notice_input(
        arrival=(utcnow() - timedelta(days=1)).isoformat(),
        convictions="Invented conviction 2009",
        victims="two girls aged 9 and 11",
        local_contacts=["Invented Fixer"],
        description="Invented note",
        document_state="GBR",
    )
    notice = notice_receive(data=data, source=Source.CONSOLE, actor=desk_officer).notice
    return notice_transition(notice=notice, to=NoticeStatus.ASSIGNED, actor=desk_officer)


def _arrive(notice: Notice, actor: User, capture: Any) -> Notice:
    """The subject arrives: monitoring, outcome `monitored`, the exchange's hook on commit."""
    with capture(execute=True):
        return notice_transition(notice=notice, to=NoticeStatus.MONITORING, actor=actor)


def _outcome_event(notice: Notice) -> NoticeEvent:
    return NoticeEvent.objects.filter(notice=notice, kind=EventKind.OUTCOME).latest("pk")


# --------------------------------------------------------------------------- the package


def test_law_enforcement_with_every_section_gets_the_subject_but_never_victims_or_addresses(
    full_notice: Notice, desk_officer: User, admin: User, django_capture_on_commit_callbacks: Any
) -> None:
    partner = _partner(admin)
    notice = _arrive(full_notice, desk_officer, django_capture_on_commit_callbacks)
    share = Share.objects.get(notice=notice)
    event = json.loads(share.body)
    assert event["type"] == EventType.NOTICE_OUTCOME == share.event_type
    data = event["data"]
    assert data["notice"] == notice.reference and data["sender_reference"] == "INVENTED-GN-0001"
    assert data["tlp"] == SharingLevel.AMBER == share.tlp
    assert data["outcome"]["kind"] == Outcome.MONITORED and data["outcome"]["label"] == "Monitored"
    assert data["subject"] == {
        "given_names": "Michael",
        "family_name": "Invented-Smith",
        "date_of_birth": "1968-04-12",
        "nationalities": ["GBR"],
        "document": {"type": "passport", "number": "123456789", "issuing_state": "GBR"},
    }
    assert data["trip"]["status"] == NoticeStatus.MONITORING
    assert data["trip"]["port_of_entry"] == "LOS" and data["trip"]["destination_state"] == "LA"
    for secret in NEVER:
        assert secret not in share.body
    assert share.partner == partner and share.notice_event == _outcome_event(notice)
    assert "subject.given_names" in share.fields and "outcome.kind" in share.fields


@pytest.mark.parametrize(
    ("sections", "subject"),
    [
        # A shelter's profile, even with victims in full: no victim of a notice ever leaves.
        ([Section.VICTIM_FIRST_NAME, Section.VICTIM_DETAILS, Section.VICTIM_NEEDS], None),
        # Suspects' identifiers: the document the sender gave, no names.
        (
            [Section.SUSPECT_IDENTIFIERS],
            {"document": {"type": "passport", "number": "123456789", "issuing_state": "GBR"}},
        ),
        ([], None),  # nothing but the outcome, both references and the dates
    ],
)
def test_what_goes_follows_the_partners_profile(
    full_notice: Notice,
    desk_officer: User,
    admin: User,
    django_capture_on_commit_callbacks: Any,
    sections: list[str],
    subject: dict[str, Any] | None,
) -> None:
    _partner(admin, kind=PartnerKind.NGO, sections=sections)
    notice = _arrive(full_notice, desk_officer, django_capture_on_commit_callbacks)
    data = json.loads(Share.objects.get(notice=notice).body)["data"]
    expected = {"schema", "notice", "sender_reference", "tlp", "sections", "received_at", "outcome"}
    assert set(data) == expected | ({"subject"} if subject else set())
    assert data.get("subject") == subject
    for secret in (*NEVER, "Michael", "Invented-Smith", "1968"):
        assert secret not in json.dumps(data)


def test_a_partner_below_amber_gets_nothing(
    full_notice: Notice, desk_officer: User, admin: User, django_capture_on_commit_callbacks: Any
) -> None:
    partner = _partner(admin, max_level=SharingLevel.GREEN)
    notice = _arrive(full_notice, desk_officer, django_capture_on_commit_callbacks)
    assert not Share.objects.filter(notice=notice).exists()
    with pytest.raises(SharingRefused):
        notice_outcome_package(partner=partner, notice=notice, event=_outcome_event(notice))
    with pytest.raises(SharingRefused):
        notice_outcome_send(notice=notice, actor=desk_officer)
    assert not WebhookDelivery.objects.exists()


def test_a_purged_notice_sends_its_outcome_without_any_personal_field(
    full_notice: Notice, desk_officer: User, admin: User
) -> None:
    partner = _partner(admin)
    notice = notice_transition(notice=full_notice, to=NoticeStatus.MONITORING, actor=desk_officer)
    notice = notice_purge(notice=notice)
    data = notice_outcome_package(partner=partner, notice=notice, event=_outcome_event(notice))
    assert "subject" not in data and data["outcome"]["kind"] == Outcome.MONITORED


# --------------------------------------------------------------------------- who gets it


def test_no_delivery_when_the_sender_is_not_a_partner(
    full_notice: Notice, desk_officer: User, admin: User, django_capture_on_commit_callbacks: Any
) -> None:
    _partner(admin, code="other", name="Invented Other Agency")
    notice = _arrive(full_notice, desk_officer, django_capture_on_commit_callbacks)
    assert notice.outcome == Outcome.MONITORED
    assert notice_outcome_announce(event_id=_outcome_event(notice).pk) == 0
    assert not Share.objects.exists() and not WebhookDelivery.objects.exists()
    assert not AuditEvent.objects.filter(action="notice.outcome_shared").exists()


def test_the_partner_of_the_api_client_that_sent_the_notice_gets_it(
    admin: User, desk_officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = api_client_create(
        name="Invented Partner Agency", kind=ClientKind.PARTNER, scopes=[Scope.NOTICES_SUBMIT]
    ).client
    partner = _partner(admin, code="by-api", name="Invented API Partner", api_client=client)
    data = notice_input(sender_agency="Some words that name no partner")
    notice = notice_receive(data=data, source=Source.API, actor=None, api_client=client).notice
    notice = notice_transition(notice=notice, to=NoticeStatus.ASSIGNED, actor=desk_officer)
    with django_capture_on_commit_callbacks(execute=True):
        notice_transition(notice=notice, to=NoticeStatus.DID_NOT_ARRIVE, actor=desk_officer)
    share = Share.objects.get(notice=notice)
    assert share.partner == partner
    assert json.loads(share.body)["data"]["outcome"]["kind"] == Outcome.DID_NOT_ARRIVE


def test_sent_only_after_the_commit(
    full_notice: Notice, desk_officer: User, admin: User, django_capture_on_commit_callbacks: Any
) -> None:
    _partner(admin)
    with django_capture_on_commit_callbacks(execute=False) as hooks:
        notice_transition(notice=full_notice, to=NoticeStatus.MONITORING, actor=desk_officer)
    assert not Share.objects.exists() and len(hooks) == 1  # nothing leaves before the commit
    hooks[0]()
    assert Share.objects.filter(notice=full_notice).count() == 1


# --------------------------------------------------------------------------- once per outcome


def test_one_delivery_per_outcome_whatever_is_replayed(
    full_notice: Notice,
    desk_officer: User,
    admin: User,
    endpoint: Endpoint,
    django_capture_on_commit_callbacks: Any,
) -> None:
    partner = _partner(admin, webhook_url=endpoint.url)
    notice = _arrive(full_notice, desk_officer, django_capture_on_commit_callbacks)
    event = _outcome_event(notice)
    assert WebhookDelivery.objects.filter(share__notice=notice).count() == 1
    # The hook again (a retried job), the service again, the console's button, the same form
    # sent twice: nothing more leaves.
    assert notice_outcome_announce(event_id=event.pk) == 0
    assert notice_outcome_share(event=event, partner=partner) is None
    assert notice_outcome_send(notice=notice, actor=desk_officer) is None
    with django_capture_on_commit_callbacks(execute=True):
        notice_set_outcome(notice=notice, outcome=Outcome.MONITORED, actor=desk_officer)
    assert WebhookDelivery.objects.filter(share__notice=notice).count() == 1
    assert NoticeEvent.objects.filter(notice=notice, kind=EventKind.OUTCOME).count() == 1
    # A new outcome is a new delivery, in order after the first.
    with django_capture_on_commit_callbacks(execute=True):
        notice_set_outcome(notice=notice, outcome=Outcome.INVESTIGATION, actor=desk_officer)
    deliveries = list(WebhookDelivery.objects.filter(share__notice=notice).order_by("pk"))
    assert len(deliveries) == 2
    assert AuditEvent.objects.filter(action="notice.outcome_shared").count() == 2
    assert webhooks_deliver_due() == 2
    kinds = [json.loads(body)["data"]["outcome"]["kind"] for _, body in endpoint.received]
    assert kinds == [Outcome.MONITORED, Outcome.INVESTIGATION]


def test_an_outcome_the_sender_already_holds_is_not_sent_again(
    full_notice: Notice, desk_officer: User, admin: User, django_capture_on_commit_callbacks: Any
) -> None:
    """Monitored went; investigation was recorded while the partner was suspended (refused);
    back to monitored: the sender still holds monitored, so nothing goes."""
    partner = _partner(admin)
    notice = _arrive(full_notice, desk_officer, django_capture_on_commit_callbacks)
    Partner.objects.filter(pk=partner.pk).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        notice_set_outcome(notice=notice, outcome=Outcome.INVESTIGATION, actor=desk_officer)
    Partner.objects.filter(pk=partner.pk).update(is_active=True)
    with django_capture_on_commit_callbacks(execute=True):
        notice_set_outcome(notice=notice, outcome=Outcome.MONITORED, actor=desk_officer)
    assert NoticeEvent.objects.filter(notice=notice, kind=EventKind.OUTCOME).count() == 3
    (share,) = Share.objects.filter(notice=notice)
    assert json.loads(share.body)["data"]["outcome"]["kind"] == Outcome.MONITORED


def test_the_same_outcome_entry_cannot_be_stored_twice_for_a_partner(
    full_notice: Notice, desk_officer: User, admin: User
) -> None:
    """The database keeps the promise too: a second share of one outcome entry is refused."""
    partner = _partner(admin)
    notice = notice_transition(notice=full_notice, to=NoticeStatus.MONITORING, actor=desk_officer)
    event = _outcome_event(notice)
    first = notice_outcome_share(event=event, partner=partner)
    assert first is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        Share.objects.create(
            partner=partner,
            notice=notice,
            notice_event=event,
            event_type=EventType.NOTICE_OUTCOME,
            tlp=SharingLevel.AMBER,
            created_at=utcnow(),
        )


# --------------------------------------------------------------------------- the wire


def test_the_webhook_is_signed_and_verifies_with_standardwebhooks(
    full_notice: Notice,
    desk_officer: User,
    admin: User,
    endpoint: Endpoint,
    django_capture_on_commit_callbacks: Any,
) -> None:
    partner = _partner(admin, webhook_url=endpoint.url)
    notice = _arrive(full_notice, desk_officer, django_capture_on_commit_callbacks)
    assert webhooks_deliver_due() == 1
    ((headers, body),) = endpoint.received
    event = Webhook(live_secrets(partner.pk)[0]).verify(body, headers)
    assert event["type"] == "notice.outcome"
    assert event["data"]["notice"] == notice.reference
    assert event["data"]["outcome"]["kind"] == Outcome.MONITORED
    delivery = WebhookDelivery.objects.get(share__notice=notice)
    assert delivery.state == DeliveryState.DELIVERED and headers["webhook-id"] == delivery.event_id
    audited = AuditEvent.objects.get(action="notice.outcome_shared")
    assert audited.object_type == "travellers.notice" and audited.object_id == str(notice.pk)
    assert audited.after["partner"] == partner.code and audited.after["event"] == delivery.event_id
    assert audited.after["outcome"] == Outcome.MONITORED
    assert audited.after["fields"] == Share.objects.get(notice=notice).fields
    assert audited.actor_label == "system:exchange"


def test_a_partner_without_an_endpoint_reads_it_in_its_feed(
    full_notice: Notice, desk_officer: User, admin: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = api_client_create(
        name="Invented Feed Reader", kind=ClientKind.PARTNER, scopes=[Scope.FEED_READ]
    ).client
    partner = _partner(admin, api_client=client)
    notice = _arrive(full_notice, desk_officer, django_capture_on_commit_callbacks)
    share = Share.objects.get(notice=notice)
    assert not WebhookDelivery.objects.exists()
    (item,) = feed_read(partner=partner, client=client, shares=[share])
    assert item.event is not None and item.event["type"] == "notice.outcome"
    assert item.event["data"]["notice"] == notice.reference


# --------------------------------------------------------------------------- the notice page


def _page(user: User, notice: Notice) -> str:
    answer = login(user).get(f"/console/travellers/{notice.reference}/")
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_notice_page_shows_each_outcome_delivered_pending_or_failed(
    full_notice: Notice,
    desk_officer: User,
    admin: User,
    lagos_analyst: User,
    endpoint: Endpoint,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _partner(admin, webhook_url=endpoint.url)
    notice = _arrive(full_notice, desk_officer, django_capture_on_commit_callbacks)
    page = _page(desk_officer, notice)
    assert "Feedback to the sender" in page and "<strong>pending</strong>" in page
    webhooks_deliver_due()
    assert "<strong>delivered</strong>" in _page(desk_officer, notice)
    with django_capture_on_commit_callbacks(execute=True):
        notice_set_outcome(notice=notice, outcome=Outcome.INVESTIGATION, actor=desk_officer)
    second = WebhookDelivery.objects.filter(share__notice=notice).latest("pk")
    while second.state == DeliveryState.PENDING:  # as the worker records a refusing endpoint
        second = webhook_delivery_record(delivery=second, status=503, error="", owner="t")
    page = _page(desk_officer, notice)
    assert "<strong>failed</strong>" in page and "<strong>delivered</strong>" in page
    assert f"deliveries/{second.event_id}/resend/" in page
    # The destination command sees the state, the desk alone re-sends.
    seen = _page(lagos_analyst, notice)
    assert "<strong>failed</strong>" in seen and "resend/" not in seen


def test_the_desk_resends_a_failed_delivery_from_the_notice_page(
    full_notice: Notice,
    desk_officer: User,
    admin: User,
    endpoint: Endpoint,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _partner(admin, webhook_url=endpoint.url)
    notice = _arrive(full_notice, desk_officer, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get(share__notice=notice)
    while delivery.state == DeliveryState.PENDING:
        delivery = webhook_delivery_record(delivery=delivery, status=None, error="down", owner="t")
    url = f"/console/exchange/notices/{notice.reference}/deliveries/{delivery.event_id}/resend/"
    answer = login(desk_officer).post(url)
    assert answer.status_code == 302 and answer["Location"].endswith("#feedback")
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING and delivery.attempts == 0
    assert AuditEvent.objects.filter(action="webhook.replayed").exists()
    assert webhooks_deliver_due() == 1 and len(endpoint.received) == 1
    assert "<strong>delivered</strong>" in _page(desk_officer, notice)


def test_the_desk_sends_an_outcome_recorded_before_the_sender_was_a_partner(
    full_notice: Notice, desk_officer: User, admin: User, django_capture_on_commit_callbacks: Any
) -> None:
    notice = _arrive(full_notice, desk_officer, django_capture_on_commit_callbacks)
    assert "is not an exchange partner" in _page(desk_officer, notice)
    assert not Share.objects.exists()
    _partner(admin)
    page = _page(desk_officer, notice)
    assert "has not gone to" in page and "Send the outcome now" in page
    assert "Exactly what Invented Sending Agency receives" in page
    url = f"/console/exchange/notices/{notice.reference}/send/"
    assert login(desk_officer).post(url).status_code == 302
    share = Share.objects.get(notice=notice)
    assert share.created_by == desk_officer
    login(desk_officer).post(url)  # a second click sends nothing more
    assert Share.objects.filter(notice=notice).count() == 1
    assert "Send the outcome now" not in _page(desk_officer, notice)


def test_outsiders_get_404_and_strangers_the_login(
    full_notice: Notice,
    desk_officer: User,
    admin: User,
    lagos_analyst: User,
    kano_analyst: User,
    make_user: Callable[..., User],
    make_notice: Callable[..., Notice],
    django_capture_on_commit_callbacks: Any,
) -> None:
    _partner(admin, webhook_url="http://127.0.0.1:9/hook")
    notice = _arrive(full_notice, desk_officer, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get(share__notice=notice)
    while delivery.state == DeliveryState.PENDING:
        delivery = webhook_delivery_record(delivery=delivery, status=None, error="down", owner="t")
    base = f"/console/exchange/notices/{notice.reference}"
    resend, send = f"{base}/deliveries/{delivery.event_id}/resend/", f"{base}/send/"
    liaison = make_user(Role.PARTNER_LIAISON, ("LAG",))  # works the exchange, not the desk
    for outsider in (kano_analyst, lagos_analyst, liaison):
        assert login(outsider).post(resend).status_code == 404
        assert login(outsider).post(send).status_code == 404
    assert Client().post(resend).status_code == 302  # to the login
    # Another notice's delivery through this notice's address, or a made-up one: 404.
    other = make_notice(id="INVENTED-OTHER")
    other_url = f"/console/exchange/notices/{other.reference}/deliveries/{delivery.event_id}/"
    assert login(desk_officer).post(other_url + "resend/").status_code == 404
    made_up = f"{base}/deliveries/msg_000000000999/resend/"
    assert login(desk_officer).post(made_up).status_code == 404
    assert login(desk_officer).get(resend).status_code == 405
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DEAD  # none of them replayed it
