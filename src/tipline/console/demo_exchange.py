"""The demo's partner exchange: invented partners, what was shared with them, a referral in,
and travel notices' outcomes sent back to the agency that sent them.

Five partners, named 'Demo' so that no real agency is meant: an NCMEC stand-in (identifiers
and hashes), the police (everything up to TLP:AMBER+STRICT, with a loopback webhook endpoint
that refuses: its deliveries become dead letters to replay), an INTERPOL NCB, a shelter (a
victim's first name, age and needs; an API key with the feed and referral scopes) and the
Angel Watch stand-in that sends a third of the demo's travel notices. Shares go through the
exchange's services, so each is audited, on the report's or case's timeline, and in the
shelter's feed; the shelter refers one invented report in through the same service as its API.
The notices' outcomes go to Angel Watch as the national desk's "send the outcome now" sends
them (they were recorded before the partner existed): the first delivered, the second a failed
delivery to re-send from the notice's page, the rest left to the worker. Nothing leaves the
machine: the only endpoint is 127.0.0.1's discard port.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from tipline.accounts.choices import ClientKind, Scope
from tipline.accounts.models import User
from tipline.accounts.services import api_client_create
from tipline.cases.models import Case
from tipline.exchange.choices import DEFAULT_SECTIONS, PartnerKind
from tipline.exchange.models import Partner, WebhookDelivery
from tipline.exchange.packages import SharingRefused
from tipline.exchange.services import (
    PartnerInput,
    case_share,
    notice_outcome_send,
    partner_create,
    referral_receive,
    report_share,
    webhook_delivery_record,
)
from tipline.pipeline.services import pipeline_run
from tipline.reports.choices import Channel, IncidentType, PersonRole, ReportStatus, SharingLevel
from tipline.reports.drafts import IncidentDraft, PersonDraft, ReportDraft
from tipline.reports.models import Report
from tipline.travellers.models import Notice

DEMO_PARTNER_KEY = "demo-shelter-partner-key"  # noqa: S105  # demo mode only, like the platform's
REFERRALS_IN = 1  # reports a partner referred: filed beside the demo's own
REFUSING_ENDPOINT = "http://127.0.0.1:9/hook"  # the discard port: refused at once, locally

PARTNERS = [
    ("demo-ncmec", "Demo NCMEC (invented)", PartnerKind.NCMEC, SharingLevel.AMBER, ["US"]),
    ("demo-police", "Demo Police Liaison", PartnerKind.LAW_ENFORCEMENT, "TLP:AMBER+STRICT", ["NG"]),
    ("demo-ncb", "Demo INTERPOL NCB Abuja", PartnerKind.INTERPOL_NCB, SharingLevel.AMBER, ["NG"]),
    ("demo-shelter", "Demo Haven Shelter", PartnerKind.NGO, SharingLevel.AMBER, ["NG-LA"]),
    # The sender of a third of the demo's travel notices (console/demo_travellers.py's SENDERS).
    (
        "demo-angel-watch",
        "Demo Angel Watch Center",
        PartnerKind.LAW_ENFORCEMENT,
        "TLP:AMBER",
        ["US"],
    ),
]
WITH_ENDPOINT = {"demo-police", "demo-angel-watch"}


@dataclass(frozen=True)
class DemoExchange:
    """What the demo added."""

    partners: int
    shares: int
    referrals_in: int
    outcomes: int = 0  # travel notices' outcomes sent to their sender


def demo_exchange() -> DemoExchange:
    """Seed the partners, share a few referred reports and a case, take one referral in.
    Runs once, after the reports, their triage history and the cases (idempotent)."""
    if Partner.objects.filter(code="demo-shelter").exists():
        return DemoExchange(0, 0, 0, 0)
    admin = User.objects.get(username="admin")
    partners = {
        code: _partner(code, name, kind, level, where, admin)
        for code, name, kind, level, where in PARTNERS
    }
    shares = _share_reports(partners, admin) + _share_case(partners["demo-shelter"], admin)
    _dead_letters(partners["demo-police"])
    outcomes = _notice_outcomes(partners["demo-angel-watch"])
    referred = _referral_in(partners["demo-shelter"])
    return DemoExchange(len(partners), shares, referred, outcomes)


def _partner(code: str, name: str, kind: str, level: str, where: list[str], admin: User) -> Partner:
    shelter = code == "demo-shelter"
    client = (
        api_client_create(
            name="Demo Haven Shelter (partner API)",
            kind=ClientKind.PARTNER,
            scopes=[Scope.FEED_READ, Scope.REFERRALS_SUBMIT],
            api_key=DEMO_PARTNER_KEY,
            actor=admin,
        ).client
        if shelter
        else None
    )
    data = PartnerInput(
        code=code,
        name=name,
        kind=kind,
        max_level=level,
        sections=list(DEFAULT_SECTIONS[kind]),
        jurisdictions=where,
        contacts=[{"name": "Invented Contact", "email": f"{code}@example.org"}],
        webhook_url=REFUSING_ENDPOINT if code in WITH_ENDPOINT else "",
        api_client=client,
    )
    return partner_create(data=data, actor=admin)


def _share_reports(partners: dict[str, Partner], admin: User) -> int:
    """Reports the triage history already referred (so no report moves again) with victims:
    the shelter and the police get some, NCMEC one (answering its queue's requests)."""
    referred = (
        Report.objects.filter(status=ReportStatus.REFERRED, people__role=PersonRole.VICTIM)
        .exclude(sharing_level=SharingLevel.RED)
        .distinct()
        .order_by("received_at", "pk")[:6]
    )
    plan = ["demo-shelter", "demo-shelter", "demo-police", "demo-police", "demo-ncmec", "demo-ncb"]
    shared = 0
    for report, code in zip(referred, plan, strict=False):
        try:
            report_share(report=report, partner=partners[code], actor=admin, reason="Demo referral")
            shared += 1
        except SharingRefused:
            continue
    return shared


def _share_case(shelter: Partner, admin: User) -> int:
    case = Case.objects.order_by("opened_at", "pk").first()
    if case is None:
        return 0
    try:
        case_share(case=case, partner=shelter, actor=admin, reason="A place for the victims")
    except SharingRefused:
        return 0
    return 1


def _notice_outcomes(sender: Partner) -> int:
    """The outcomes of the sender's notices, sent by the desk; the first delivered and the
    second failed, as the worker would record them."""
    desk = User.objects.get(username="liaison")
    notices = Notice.objects.filter(sender_agency=sender.name).exclude(outcome="").order_by("pk")
    shares = [notice_outcome_send(notice=notice, actor=desk) for notice in notices]
    deliveries = [WebhookDelivery.objects.get(share=share) for share in shares if share is not None]
    if deliveries:
        webhook_delivery_record(delivery=deliveries[0], status=204, error="", owner="demo")
    for delivery in deliveries[1:2]:
        while delivery.state == "pending":
            delivery = webhook_delivery_record(
                delivery=delivery, status=None, error="Connection refused (demo)", owner="demo"
            )
    return len(deliveries)


def _dead_letters(police: Partner) -> None:
    """The police endpoint refuses; their deliveries have used up their retries, as the worker
    records them (the console lists them for replay)."""
    for delivery in WebhookDelivery.objects.filter(partner=police):
        while delivery.state == "pending":
            delivery = webhook_delivery_record(
                delivery=delivery, status=None, error="Connection refused (demo)", owner="demo"
            )


def _referral_in(shelter: Partner) -> int:
    """The shelter refers a girl it took in, through the API's own service."""
    draft = ReportDraft(
        channel=Channel.PARTNER,
        external_id="HAVEN-2026-0007",
        incident=IncidentDraft(
            type=IncidentType.DECEPTIVE_RECRUITMENT,
            description="A girl staying with us says an invented agent promised her hotel work "
            "in Lagos and took her phone when she arrived. Invented for the demo.",
            state_code="LA",
        ),
        people=[PersonDraft(role=PersonRole.VICTIM, first_name="Invented", age=16)],
        sharing_level=SharingLevel.AMBER,
        extra={"partner": {"code": shelter.code, "referral_id": "HAVEN-2026-0007"}},
    )
    digest = hashlib.sha256(draft.model_dump_json().encode()).hexdigest()
    assert shelter.api_client is not None  # noqa: S101  # created just above with the partner
    outcome = referral_receive(
        partner=shelter, client=shelter.api_client, draft=draft, body_sha256=digest
    )
    pipeline_run(report_id=outcome.report.pk)  # processed like the demo's older reports
    return REFERRALS_IN
