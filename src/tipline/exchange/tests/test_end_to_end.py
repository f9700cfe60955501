"""The issue's "done when", end to end through the console: a national-desk user imports a folder
of invented NCMEC packages (`tipline ncmec import`); they land in their commands' queues with
NCMEC's priority and geolocation beside the platform's own, linked to a local report that shares
a phone; one is referred to a shelter, whose preview and delivered webhook carry only the
shelter's fields; and the partner's verifier (the reference `standardwebhooks` library) accepts
the delivery. The shelter's endpoint is a local server on 127.0.0.1 (`test_webhooks.Endpoint`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from standardwebhooks.webhooks import Webhook

from tipline.accounts.choices import Role
from tipline.conftest import draft, login
from tipline.exchange.choices import DeliveryState, PartnerKind, Section
from tipline.exchange.models import Partner, WebhookDelivery
from tipline.exchange.services import PartnerInput, partner_create
from tipline.exchange.tasks import live_secrets, webhooks_deliver_due
from tipline.exchange.tests.test_webhooks import Endpoint
from tipline.intake.ncmec.samples import PLACES, SampleReferral, with_pictures, write_folder
from tipline.pipeline.services import pipeline_run
from tipline.reports.choices import PersonRole
from tipline.reports.drafts import PersonDraft, Phone
from tipline.reports.models import Report
from tipline.reports.services import report_submit

LAGOS, KANO = PLACES[0], PLACES[1]
SHARED_PHONE = "+2348031234567"


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    e = Endpoint()
    yield e
    e.server.shutdown()
    e.server.server_close()


@pytest.fixture
def store(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_STORE_DIR = tmp_path / "media"
    return settings.MEDIA_STORE_DIR  # type: ignore[no-any-return]


@pytest.fixture
def desk(make_user: Any) -> Any:
    """An administrator of the national desk: imports, sees every command, refers (a partner
    liaison officer cannot be national, so sees only its commands' reports)."""
    return make_user(Role.ADMINISTRATOR, ("NAT",), national=True)


def _shelter(endpoint: Endpoint, admin: Any) -> Partner:
    data = PartnerInput(
        code="shelter",
        name="Invented Shelter",
        kind=PartnerKind.NGO,
        max_level="TLP:AMBER",
        sections=[Section.VICTIM_FIRST_NAME, Section.VICTIM_AGE, Section.VICTIM_NEEDS],
        jurisdictions=["NG-LA"],
        contacts=[{"name": "Invented Contact", "email": "contact@example.org"}],
        webhook_url=endpoint.url,
    )
    return partner_create(data=data, actor=admin)


def _referral(number: str, place: tuple[str, str, str, str], priority: str) -> SampleReferral:
    made = with_pictures(number, count=1, priority=priority)
    made.place = place
    return made


def _local_report_with(phone: str) -> Report:
    """A report the agency received itself (the web form), about the same suspect's phone."""
    suspect = PersonDraft(role=PersonRole.REPORTED_PERSON, phones=[Phone(number=phone)])
    report = report_submit(draft=draft(people=[suspect])).report
    pipeline_run(report_id=report.pk)
    return report


def _import_folder(tmp_path: Path, desk: Any, *referrals: SampleReferral) -> list[Report]:
    folder = tmp_path / "from-ncmec"
    for referral in referrals:
        write_folder(folder / referral.number, referral, name=f"CyberTip_{referral.number}.xml")
    call_command("ncmec", "import", str(folder), "--actor", desk.username)
    numbers = [f"NCMEC-{r.number}" for r in referrals]
    reports = list(Report.objects.filter(external_id__in=numbers).order_by("external_id"))
    for report in reports:  # what `tipline worker` does with each
        pipeline_run(report_id=report.pk)
    return [Report.objects.get(pk=r.pk) for r in reports]


def _queue(client: Client, command: str) -> str:
    return client.get(reverse("triage:queue"), {"command": command}).content.decode()


def test_imported_referrals_are_queued_linked_referred_and_the_shelter_verifies_the_delivery(
    desk: Any, make_user: Any, endpoint: Endpoint, store: Path, tmp_path: Path
) -> None:
    local = _local_report_with(SHARED_PHONE)
    urgent = _referral("610000001", LAGOS, priority="1")
    urgent.phone = SHARED_PHONE
    lagos, kano = _import_folder(tmp_path, desk, urgent, _referral("610000002", KANO, "3"))
    client = login(desk)

    # The right command queues, each with its own referral only.
    assert (lagos.routed_command.code, kano.routed_command.code) == ("LAG", "KAN")  # type: ignore[union-attr]
    in_lagos, in_kano = _queue(client, "LAG"), _queue(client, "KAN")
    assert lagos.reference in in_lagos and kano.reference not in in_lagos
    assert kano.reference in in_kano and lagos.reference not in in_kano

    # NCMEC's priority and geolocation beside the platform's own priority, command and state.
    desk_page = client.get(reverse("ncmec:imports")).content.decode()
    row = desk_page[desk_page.index(lagos.reference) :].split("</tr>", 1)[0]
    assert "<td>1</td>" in row and f"<td>{lagos.priority}</td>" in row
    assert "NCMEC geolocation of" in row and "Ikeja, Lagos, Nigeria" in row
    assert lagos.state is not None and f"<td>{lagos.state.name}</td>" in row
    assert lagos.routed_command.name in row  # type: ignore[union-attr]

    # Linked to the local report that shares the suspect's phone.
    report_page = client.get(reverse("console:report", args=[lagos.reference])).content.decode()
    assert local.reference in report_page

    # Refer it to the shelter: the preview is only the shelter's fields.
    shelter = _shelter(endpoint, make_user(Role.ADMINISTRATOR, (), national=True))
    refer = reverse("exchange:report", args=[lagos.reference])
    preview_page = client.get(refer, {"partner": shelter.code})
    preview = preview_page.context["preview"]
    previewed = json.loads(preview)
    victim_first, victim_last = urgent.victim
    assert previewed["people"] == [{"role": "victim", "first_name": victim_first, "age": 14}]
    for never in (victim_last, SHARED_PHONE, urgent.handle, urgent.ip, "files", "sha256"):
        assert never not in preview
    send = reverse("exchange:send", args=[lagos.reference])
    client.post(send, {"partner": shelter.code, "reason": "A shelter place for the child"})

    # Delivered by the worker's job; the shelter's verifier accepts it; the same fields went.
    assert webhooks_deliver_due() == 1
    ((headers, body),) = endpoint.received
    event = Webhook(live_secrets(shelter.pk)[0]).verify(body, headers)
    assert event["type"] == "referral.created"
    assert event["data"] == previewed
    for never in (victim_last, SHARED_PHONE, urgent.handle, urgent.ip):
        assert never.encode() not in body
    delivery = WebhookDelivery.objects.get(event_id=headers["webhook-id"])
    assert delivery.state == DeliveryState.DELIVERED
    status = client.get(refer).content.decode()
    assert "Delivered (1 attempt, last HTTP 204)" in status
