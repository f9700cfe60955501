"""`missing_child.alert`: a missing child's public alert (and its update and cancellation) goes
to the partners whose profile lets them receive victims' names, through exchange_package_for:
only the public details their sections allow, never a guardian or the photo."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tipline.accounts.choices import Role
from tipline.exchange.choices import DEFAULT_SECTIONS, EventType, PartnerKind, Section
from tipline.exchange.models import Partner, Share, WebhookDelivery
from tipline.exchange.packages import exchange_package_for
from tipline.exchange.services import PartnerInput, partner_create
from tipline.missing.choices import RecordStatus, Source
from tipline.missing.models import MissingRecord
from tipline.missing.services import (
    missing_alert_cancel,
    missing_alert_issue,
    missing_record_create,
    missing_transition,
)
from tipline.missing.tests.conftest import record_input
from tipline.reports.choices import SharingLevel


@pytest.fixture
def supervisor(make_user: Any) -> Any:
    return make_user(Role.SUPERVISOR, ("LAG",))


@pytest.fixture
def record(lagos_analyst: Any, supervisor: Any) -> MissingRecord:
    made = missing_record_create(data=record_input(), source=Source.CONSOLE, actor=lagos_analyst)
    missing_transition(record=made.record, to=RecordStatus.VERIFIED, actor=supervisor)
    return made.record


def _partner(code: str, kind: str, sections: list[str], **more: Any) -> Partner:
    data = PartnerInput(
        code=code,
        name=f"Invented {code}",
        kind=kind,
        max_level=SharingLevel.AMBER,
        sections=sections,
        jurisdictions=["NG"],
        contacts=[],
        **more,
    )
    return partner_create(data=data, actor=None)  # type: ignore[arg-type]  # a test's setup


def test_an_alert_reaches_the_partners_that_may_see_a_childs_name(
    record: MissingRecord, supervisor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    shelter = _partner(
        "shelter",
        PartnerKind.NGO,
        list(DEFAULT_SECTIONS[PartnerKind.NGO]),
        webhook_url="https://shelter.invalid/hook",
    )
    ncmec = _partner("ncmec", PartnerKind.NCMEC, list(DEFAULT_SECTIONS[PartnerKind.NCMEC]))
    with django_capture_on_commit_callbacks(execute=True):
        alert = missing_alert_issue(record=record, actor=supervisor)
    share = Share.objects.get(alert=alert)
    assert share.partner == shelter and share.event_type == EventType.MISSING_CHILD_ALERT
    body = json.loads(WebhookDelivery.objects.get(share=share).body)
    assert body["type"] == "missing_child.alert"
    assert body["data"]["child"] == {"given_names": "Temitope", "age": 11, "sex": "f"}
    text = json.dumps(body)
    for never in ("Adebayo", "Invented Guardian", "08031110000", "photo", "market"):
        assert never not in text, never
    assert not Share.objects.filter(partner=ncmec).exists()
    with django_capture_on_commit_callbacks(execute=True):
        cancel = missing_alert_cancel(record=record, actor=supervisor)
    cancelled = json.loads(Share.objects.get(alert=cancel).body)["data"]
    assert cancelled["msg_type"] == "Cancel" and "child" not in cancelled


def test_the_alert_package_follows_the_profile(record: MissingRecord, supervisor: Any) -> None:
    alert = missing_alert_issue(record=record, actor=supervisor)
    police = Partner(
        code="np", name="Police", max_level=SharingLevel.CLEAR, sections=Section.values
    )
    full = exchange_package_for(partner=police, alert=alert)
    assert full["child"]["family_name"] == "Adebayo" and full["child"]["place"]
    assert full["tlp"] == SharingLevel.CLEAR and "photo" not in full["child"]
    nothing = Partner(code="x", name="X", max_level=SharingLevel.CLEAR, sections=[])
    assert "child" not in exchange_package_for(partner=nothing, alert=alert)
    with pytest.raises(TypeError):
        exchange_package_for(partner=police)
