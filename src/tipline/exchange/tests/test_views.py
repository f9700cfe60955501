"""The exchange pages: only administrators and partner liaison officers, and only for reports in
their scope; the preview is exactly what is sent; dead letters replay."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tipline.accounts.choices import Role
from tipline.audit.models import AuditEvent
from tipline.conftest import draft, login
from tipline.exchange.choices import DeliveryState, PartnerKind, Section
from tipline.exchange.models import Partner, Share, WebhookDelivery
from tipline.exchange.services import PartnerInput, partner_create
from tipline.geo.models import RegionalCommand
from tipline.pipeline.services import pipeline_run
from tipline.reports.choices import PersonRole, ReportStatus, SharingLevel
from tipline.reports.drafts import PersonDraft
from tipline.reports.models import Report
from tipline.reports.services import report_submit
from tipline.triage.choices import ReferralState
from tipline.triage.models import Referral
from tipline.triage.services import REFERRAL_TRANSITIONS, referral_transition, report_refer


@pytest.fixture
def liaison(make_user: Any) -> Any:
    return make_user(Role.PARTNER_LIAISON, ("LAG",))


@pytest.fixture
def shelter(make_user: Any) -> Partner:
    data = PartnerInput(
        code="shelter",
        name="Invented Shelter",
        kind=PartnerKind.NGO,
        max_level=SharingLevel.AMBER,
        sections=[Section.VICTIM_FIRST_NAME, Section.VICTIM_AGE],
        jurisdictions=["NG-LA"],
        contacts=[],
        webhook_url="https://shelter.invalid/hook",
    )
    return partner_create(data=data, actor=make_user(Role.ADMINISTRATOR, (), national=True))


@pytest.fixture
def report(geo: Any) -> Report:
    victim = PersonDraft(role=PersonRole.VICTIM, first_name="Ngozi", last_name="Hidden", age=14)
    suspect = PersonDraft(role=PersonRole.REPORTED_PERSON, first_name="Suspectname")
    submitted = report_submit(draft=draft(people=[victim, suspect])).report
    pipeline_run(report_id=submitted.pk)
    return Report.objects.get(pk=submitted.pk)


def test_liaison_previews_exactly_what_the_shelter_would_receive(
    liaison: Any, shelter: Partner, report: Report
) -> None:
    url = reverse("exchange:report", args=[report.reference])
    page = login(liaison).get(url, {"partner": shelter.code}).content.decode()
    assert "Ngozi" in page and "Hidden" not in page and "Suspectname" not in page
    assert Share.objects.count() == 0  # a preview sends nothing


def test_liaison_sends_and_sees_the_delivery_status(
    liaison: Any, shelter: Partner, report: Report
) -> None:
    client = login(liaison)
    send = reverse("exchange:send", args=[report.reference])
    client.post(send, {"partner": shelter.code, "reason": "Needs a shelter place"})
    share = Share.objects.get(report=report)
    body = json.loads(WebhookDelivery.objects.get(share=share).body)
    assert body["type"] == "referral.created"
    assert body["data"]["people"] == [{"role": "victim", "first_name": "Ngozi", "age": 14}]
    report.refresh_from_db()
    assert report.status == ReportStatus.REFERRED
    page = client.get(reverse("exchange:report", args=[report.reference])).content.decode()
    assert "Waiting to be delivered" in page and "people[victim].first_name" in page


def test_dead_letter_is_listed_and_replayed(liaison: Any, shelter: Partner, report: Report) -> None:
    client = login(liaison)
    client.post(reverse("exchange:send", args=[report.reference]), {"partner": shelter.code})
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.DEAD, attempts=8)
    assert delivery.event_id in client.get(reverse("exchange:overview")).content.decode()
    client.post(reverse("exchange:replay", args=[delivery.event_id]))
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.PENDING, 0)


def test_analyst_gets_404_for_every_exchange_page(
    lagos_analyst: Any, shelter: Partner, report: Report
) -> None:
    client = login(lagos_analyst)
    ref = report.reference
    assert client.get(reverse("exchange:overview")).status_code == 404
    assert client.get(reverse("exchange:report", args=[ref])).status_code == 404
    send = client.post(reverse("exchange:send", args=[ref]), {"partner": shelter.code})
    assert send.status_code == 404 and not Share.objects.exists()
    assert client.post(reverse("exchange:replay", args=["msg_000000000001"])).status_code == 404


def test_liaison_of_another_command_gets_404_for_a_lagos_report(
    make_user: Any, shelter: Partner, report: Report
) -> None:
    kano = login(make_user(Role.PARTNER_LIAISON, ("KAN",)))
    ref = report.reference
    assert kano.get(reverse("exchange:report", args=[ref])).status_code == 404
    send = kano.post(reverse("exchange:send", args=[ref]), {"partner": shelter.code})
    assert send.status_code == 404 and not Share.objects.exists()
    assert kano.get(reverse("exchange:overview")).status_code == 200


def test_a_red_report_is_refused_in_the_preview_and_never_sent(
    liaison: Any, shelter: Partner, geo: Any
) -> None:
    red = report_submit(draft=draft(sharing_level=SharingLevel.RED)).report
    pipeline_run(report_id=red.pk)
    client = login(liaison)
    page = client.get(reverse("exchange:report", args=[red.reference]), {"partner": "shelter"})
    assert "not shared outside the agency" in page.content.decode()
    client.post(reverse("exchange:send", args=[red.reference]), {"partner": shelter.code})
    assert not Share.objects.exists()


def test_the_report_timeline_names_exactly_the_fields_that_went(
    liaison: Any, shelter: Partner, report: Report
) -> None:
    client = login(liaison)
    client.post(reverse("exchange:send", args=[report.reference]), {"partner": shelter.code})
    page = client.get(reverse("console:report", args=[report.reference])).content.decode()
    assert "Shared with shelter (TLP:AMBER)" in page
    assert "people[victim].age, people[victim].first_name, reference" in page


# --------------------------------------------------------------------------- triage requests


@pytest.fixture
def ncmec(make_user: Any) -> Partner:
    data = PartnerInput(
        code="ncmec",
        name="Invented NCMEC",
        kind=PartnerKind.NCMEC,
        max_level=SharingLevel.AMBER,
        sections=[Section.INCIDENT, Section.SUSPECT_IDENTIFIERS],
        jurisdictions=["US"],
        contacts=[],
    )
    return partner_create(data=data, actor=make_user(Role.ADMINISTRATOR, (), national=True))


def test_a_referral_asked_for_in_triage_is_sent_from_the_exchange(
    liaison: Any, lagos_analyst: Any, ncmec: Partner, shelter: Partner, report: Report
) -> None:
    asked = login(lagos_analyst)
    answer = asked.post(
        reverse("triage:refer", args=[report.reference]),
        {"partner": "NCMEC", "reason": "A child abroad"},
        follow=True,
    )
    assert "a partner liaison officer sends it" in answer.content.decode()
    request = Referral.objects.get(report=report)
    client = login(liaison)
    overview = client.get(reverse("exchange:overview")).content.decode()
    assert report.reference in overview and "A child abroad" in overview
    page = client.get(reverse("exchange:report", args=[report.reference])).content.decode()
    assert "What Invented NCMEC would receive" in page  # the queue's partner, chosen already
    client.post(reverse("exchange:send", args=[report.reference]), {"partner": shelter.code})
    request.refresh_from_db()
    assert request.state == ReferralState.PENDING  # the shelter does not answer the NCMEC queue
    client.post(reverse("exchange:send", args=[report.reference]), {"partner": ncmec.code})
    request.refresh_from_db()
    assert request.state == ReferralState.SENT and request.sent_at is not None
    assert report.reference not in client.get(reverse("exchange:overview")).content.decode()


def test_the_overview_lists_only_requests_in_the_officers_scope(
    make_user: Any, lagos_analyst: Any, report: Report
) -> None:
    login(lagos_analyst).post(
        reverse("triage:refer", args=[report.reference]), {"partner": "NCMEC", "reason": "Why"}
    )
    kano = login(make_user(Role.PARTNER_LIAISON, ("KAN",)))
    assert report.reference not in kano.get(reverse("exchange:overview")).content.decode()


@pytest.mark.parametrize(
    ("start", "to", "allowed"),
    [
        (ReferralState.PENDING, ReferralState.SENT, True),
        (ReferralState.PENDING, ReferralState.WITHDRAWN, True),
        (ReferralState.PENDING, ReferralState.PENDING, False),
        (ReferralState.SENT, ReferralState.WITHDRAWN, False),
        (ReferralState.SENT, ReferralState.PENDING, False),
        (ReferralState.SENT, ReferralState.SENT, False),
        (ReferralState.WITHDRAWN, ReferralState.SENT, False),
        (ReferralState.WITHDRAWN, ReferralState.PENDING, False),
        (ReferralState.WITHDRAWN, ReferralState.WITHDRAWN, False),
    ],
)
def test_every_triage_referral_move(
    lagos_analyst: Any, report: Report, start: str, to: str, allowed: bool
) -> None:
    assert (to in REFERRAL_TRANSITIONS[start]) == allowed
    queue = RegionalCommand.objects.get(code="NCMEC")
    request = report_refer(report=report, partner=queue, reason="Why", actor=lagos_analyst)
    Referral.objects.filter(pk=request.pk).update(state=start)
    if allowed:
        moved = referral_transition(referral=request, to_state=to, actor=lagos_analyst)
        assert moved.state == to
        assert AuditEvent.objects.filter(action=f"report.referral_{to}").exists()
    else:
        with pytest.raises(ValidationError):
            referral_transition(referral=request, to_state=to, actor=lagos_analyst)
