"""Every write of the exchange: partners, their secrets, shares, and webhook deliveries.

A share builds its package with `exchange_package_for` (the only way report data leaves), records
exactly which fields went (a `Share` and an audit row) and, when the partner has an endpoint,
queues a signed webhook in the same transaction. The worker delivers it (`tasks`).
"""

from __future__ import annotations

import contextlib
import json
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from tipline.accounts.models import ApiClient, User
from tipline.accounts.types import Actor
from tipline.audit.services import audit_record
from tipline.cases.choices import CaseEventKind
from tipline.cases.models import Case
from tipline.cases.services import case_event_record
from tipline.common.time import utcnow
from tipline.exchange.choices import (
    PARTNER_LEVELS,
    DeliveryState,
    EventType,
    PartnerKind,
    Section,
    tlp_rank,
)
from tipline.exchange.cybertipline import (
    CyberTiplineClient,
    CyberTiplineError,
    Reporter,
    report_xml,
)
from tipline.exchange.models import (
    InboundReferral,
    Partner,
    Share,
    WebhookDelivery,
    WebhookSecret,
)
from tipline.exchange.packages import exchange_package_for, notice_outcome_package, package_fields
from tipline.exchange.selectors import (
    notice_latest_outcome,
    notice_sender_partner,
    partner_answering,
    pending_requests,
)
from tipline.exchange.signing import secret_new
from tipline.missing.models import AlertMessage
from tipline.reports.choices import ALLOWED_TRANSITIONS, ReportStatus, SharingLevel
from tipline.reports.drafts import ReportDraft
from tipline.reports.models import Report
from tipline.reports.services import report_submit, report_transition
from tipline.travellers.models import Notice, NoticeEvent
from tipline.triage.choices import ReferralState
from tipline.triage.services import referral_transition


@dataclass(frozen=True)
class PartnerInput:
    """What an administrator sets on a partner."""

    code: str
    name: str
    kind: str
    max_level: str
    sections: list[str]
    jurisdictions: list[str]
    contacts: list[dict[str, str]]
    webhook_url: str = ""
    api_client: ApiClient | None = None
    is_active: bool = True


def _validated(data: PartnerInput) -> PartnerInput:
    problems: dict[str, str] = {}
    if data.kind not in PartnerKind.values:
        problems["kind"] = f"Unknown partner kind {data.kind!r}."
    if data.max_level not in dict(PARTNER_LEVELS):
        problems["max_level"] = "Choose a level from TLP:CLEAR to TLP:AMBER+STRICT."
    unknown = sorted(set(data.sections) - set(Section.values))
    if unknown:
        problems["sections"] = f"Unknown sections: {', '.join(unknown)}."
    url = data.webhook_url.strip()
    if url and not url.startswith("https://") and not settings.EXCHANGE_WEBHOOK_ALLOW_HTTP:
        problems["webhook_url"] = "A webhook endpoint must use https://."
    if problems:
        raise ValidationError(problems)
    return data


def _summary(partner: Partner) -> dict[str, Any]:
    return {
        "code": partner.code,
        "kind": partner.kind,
        "max_level": partner.max_level,
        "sections": partner.sections,
        "jurisdictions": partner.jurisdictions,
        "webhook_url": partner.webhook_url,
        "api_client": partner.api_client_id,
        "active": partner.is_active,
    }


def partner_create(*, data: PartnerInput, actor: User, ip: str | None = None) -> Partner:
    """Register a partner, with a first webhook signing secret."""
    data = _validated(data)
    with transaction.atomic():
        partner = Partner(contacts=data.contacts or None)
        _apply(partner, data)
        partner.save()
        WebhookSecret.objects.create(partner=partner, secret=secret_new(), created_at=utcnow())
        audit_record(
            actor=actor,
            action="partner.created",
            object_type="partner",
            object_id=partner.pk,
            after=_summary(partner),
            ip=ip,
        )
    return partner


def _apply(partner: Partner, data: PartnerInput) -> None:
    partner.code, partner.name, partner.kind = data.code, data.name, data.kind
    partner.max_level, partner.sections = data.max_level, sorted(set(data.sections))
    partner.jurisdictions, partner.contacts = data.jurisdictions, data.contacts or None
    partner.webhook_url, partner.api_client = data.webhook_url.strip(), data.api_client
    partner.is_active = data.is_active


def partner_update(
    *, partner: Partner, data: PartnerInput, actor: User, ip: str | None = None
) -> Partner:
    """Change a partner's kind, level, profile, contacts or endpoint."""
    data = _validated(data)
    with transaction.atomic():
        before = _summary(Partner.objects.select_for_update().get(pk=partner.pk))
        _apply(partner, data)
        partner.save()
        audit_record(
            actor=actor,
            action="partner.updated",
            object_type="partner",
            object_id=partner.pk,
            before=before,
            after=_summary(partner),
            ip=ip,
        )
    return partner


def webhook_secret_rotate(
    *, partner: Partner, actor: User, overlap: timedelta | None = None
) -> str:
    """A new signing secret; the live ones keep signing for `overlap` (default from settings),
    so the partner can switch without a delivery failing. Returns the new secret, shown once."""
    overlap = overlap if overlap is not None else settings.EXCHANGE_SECRET_OVERLAP
    now = utcnow()
    new = secret_new()
    with transaction.atomic():
        # Every live secret retires by the end of this overlap (a shorter one cuts it short).
        ending = Q(retires_at__isnull=True) | Q(retires_at__gt=now + overlap)
        live = WebhookSecret.objects.select_for_update().filter(ending, partner=partner)
        live.update(retires_at=now + overlap)
        created = WebhookSecret.objects.create(partner=partner, secret=new, created_at=now)
        audit_record(
            actor=actor,
            action="partner.secret_rotated",
            object_type="partner",
            object_id=partner.pk,
            after={"secret": created.pk, "overlap_seconds": overlap.total_seconds()},
        )
    return new


def _share_record(
    *,
    partner: Partner,
    package: dict[str, Any],
    event_type: str,
    reason: str,
    actor: Actor,
    audited: tuple[str, str, int | str],
    target: dict[str, Any],
    deliver: bool = True,
    ip: str | None = None,
    **noted: Any,
) -> Share:
    """The one way a share is recorded, whatever left: the `Share` with exactly which fields
    went, the signed webhook queued when the partner has an endpoint (and `deliver`), and the
    audit row (`audited`: action, object type, object id). Runs in the caller's transaction."""
    fields = package_fields(package)
    now = utcnow()
    share = Share.objects.create(
        partner=partner,
        event_type=event_type,
        tlp=package["tlp"],
        fields=fields,
        reason=reason.strip()[:2000],
        body=event_body(event_type=event_type, at=now, package=package),
        created_by=actor,
        created_at=now,
        **target,
    )
    delivery = _enqueue(share) if deliver and partner.webhook_url else None
    action, object_type, object_id = audited
    audit_record(
        actor=actor,
        actor_label=None if actor else "system:exchange",
        action=action,
        object_type=object_type,
        object_id=object_id,
        after={
            "partner": partner.code,
            "share": share.pk,
            "event": delivery.event_id if delivery else None,
            "event_type": event_type,
            "tlp": share.tlp,
            "fields": fields,
            **noted,
        },
        ip=ip,
    )
    return share


def report_share(
    *,
    report: Report,
    partner: Partner,
    actor: Actor,
    reason: str = "",
    event_type: str = EventType.REFERRAL_CREATED,
    ip: str | None = None,
) -> Share:
    """Share a report with a partner: its package, exactly which fields went (audited), and a
    signed webhook queued for the partner's endpoint if it has one."""
    package = exchange_package_for(partner=partner, report=report)
    with transaction.atomic():
        share = _share_record(
            partner=partner,
            package=package,
            event_type=event_type,
            reason=reason,
            actor=actor,
            audited=("report.shared", "report", report.pk),
            target={"report": report},
            ip=ip,
        )
        _fulfil_requests(report, partner, share, actor)
        referred = event_type == EventType.REFERRAL_CREATED
        if referred and ReportStatus.REFERRED in ALLOWED_TRANSITIONS.get(report.status, ()):
            report_transition(report=report, to_status=ReportStatus.REFERRED, actor=actor, ip=ip)
    return share


def _fulfil_requests(report: Report, partner: Partner, share: Share, actor: Actor) -> None:
    """The referrals asked for in triage that this share answers (to a queue of the partner's
    kind, or of its code) are sent now."""
    for request in pending_requests(report=report):
        if partner_answering(queue_code=request.partner.code, partners=[partner]) is not None:
            referral_transition(
                referral=request,
                to_state=ReferralState.SENT,
                actor=actor if isinstance(actor, User) else None,
                note=f"Sent to {partner.name} as share {share.pk}.",
            )


def case_share(
    *,
    case: Case,
    partner: Partner,
    actor: Actor,
    reason: str = "",
    event_type: str = EventType.CASE_SHARED,
    ip: str | None = None,
) -> Share:
    """Share a case with a partner: its package (`exchange_package_for(case=…)`), exactly which
    fields went (audited, and on the case's timeline), and a signed webhook if the partner has
    an endpoint. `actor` is None when the platform sends an update by itself (an outcome)."""
    package = exchange_package_for(partner=partner, case=case)
    with transaction.atomic():
        share = _share_record(
            partner=partner,
            package=package,
            event_type=event_type,
            reason=reason,
            actor=actor,
            audited=("case.shared", "case", case.pk),
            target={"case": case},
            ip=ip,
        )
        # The case's timeline is its events, written by the cases app; a share is a referral.
        case_event_record(
            case=case,
            kind=CaseEventKind.REFERRAL,
            actor=actor,
            body=f"Shared with {partner.name} ({share.tlp}, {event_type});"
            f" fields: {', '.join(share.fields)}",
            data={"partner": partner.code, "share": share.pk},
        )
    return share


def alert_share(*, alert: AlertMessage, partner: Partner, actor: Actor = None) -> Share:
    """Send a missing child's public alert (or its update or cancellation) to a partner: the
    package `exchange_package_for(alert=…)` lets it receive, audited, and a signed webhook."""
    package = exchange_package_for(partner=partner, alert=alert)
    with transaction.atomic():
        return _share_record(
            partner=partner,
            package=package,
            event_type=EventType.MISSING_CHILD_ALERT,
            reason=f"Public alert {alert.identifier} ({alert.msg_type}).",
            actor=actor,
            audited=("missing.alert_shared", "missing_record", alert.record_id),
            target={"alert": alert},
            alert=alert.identifier,
        )


class OutcomeNotSent(ValidationError):
    """The notice's outcome cannot go to its sender: the sender is no partner, or no outcome
    is recorded yet."""


def notice_outcome_share(
    *, event: NoticeEvent, partner: Partner, actor: Actor = None, ip: str | None = None
) -> Share | None:
    """Send the outcome an entry of a notice's timeline records to the partner that sent the
    notice: `notice_outcome_package` (the outcome, both references and dates; what else the
    partner's level and profile allow), a share audited with exactly which fields went, and a
    signed `notice.outcome` webhook when the partner has an endpoint (else its feed carries it).

    Once per outcome: None, and nothing sent, when this entry went to the partner before (a
    retried hook, a second click) or when the last outcome sent to it is the same one. Raises
    `SharingRefused` when the partner may not receive the notice's level."""
    notice = Notice.objects.select_related("destination_state").get(pk=event.notice_id)
    package = notice_outcome_package(partner=partner, notice=notice, event=event)
    outcome = package["outcome"]["kind"]
    try:
        with transaction.atomic():
            # The notice's row lock orders two sends of its outcomes (hook and console at once).
            list(Notice.objects.select_for_update().filter(pk=notice.pk).values_list("pk"))
            if _outcome_already_sent(partner, notice, event, outcome):
                return None
            return _share_record(
                partner=partner,
                package=package,
                event_type=EventType.NOTICE_OUTCOME,
                reason=f"Outcome recorded: {outcome}.",
                actor=actor,
                audited=("notice.outcome_shared", "travellers.notice", notice.pk),
                target={"notice": notice, "notice_event": event},
                ip=ip,
                notice=notice.reference,
                outcome=outcome,
            )
    except IntegrityError:  # the same entry, sent by another worker first: nothing twice
        if Share.objects.filter(partner=partner, notice_event=event).exists():
            return None
        raise


def _outcome_already_sent(partner: Partner, notice: Notice, event: NoticeEvent, kind: str) -> bool:
    last = (
        Share.objects.filter(partner=partner, notice=notice, notice_event__isnull=False)
        .select_related("notice_event")
        .order_by("-pk")
        .first()
    )
    if last is None or last.notice_event is None:
        return False
    return last.notice_event_id == event.pk or last.notice_event.data.get("outcome") == kind


def notice_outcome_send(*, notice: Notice, actor: Actor, ip: str | None = None) -> Share | None:
    """Send the notice's latest outcome to its sending partner now (the console's action, for an
    outcome recorded before the partner was configured or whose hook did not run). None when
    that outcome was sent before. Raises `OutcomeNotSent` or `SharingRefused` with the reason."""
    partner = notice_sender_partner(notice=notice)
    if partner is None:
        raise OutcomeNotSent(f"{notice.sender_agency} is not an exchange partner.")
    event = notice_latest_outcome(notice=notice)
    if event is None:
        raise OutcomeNotSent(f"{notice.reference} has no outcome yet.")
    return notice_outcome_share(event=event, partner=partner, actor=actor, ip=ip)


def event_body(*, event_type: str, at: datetime, package: dict[str, Any]) -> str:
    """The event as it leaves, the same bytes by webhook and by the pull feed."""
    event = {"type": event_type, "timestamp": at.isoformat(), "data": package}
    return json.dumps(event, sort_keys=True, separators=(",", ":"))


def _enqueue(share: Share) -> WebhookDelivery:
    """Queue the webhook; its event id follows the table's order, which is delivery order."""
    now = share.created_at
    delivery = WebhookDelivery.objects.create(
        partner=share.partner,
        share=share,
        event_id=f"tmp_{secrets.token_hex(8)}",
        event_type=share.event_type,
        body=share.body,
        next_attempt_at=now,
        created_at=now,
    )
    delivery.event_id = f"msg_{delivery.pk:012d}"
    delivery.save(update_fields=["event_id"])
    return delivery


def webhook_delivery_record(
    *, delivery: WebhookDelivery, status: int | None, error: str, owner: str
) -> WebhookDelivery:
    """Record one attempt: delivered on a 2xx; otherwise retried after a backoff with jitter,
    or a dead letter once the attempts are used up. Releases the lease."""
    now = utcnow()
    with transaction.atomic():
        d = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        d.attempts += 1
        d.last_status, d.last_error = status, error[:500]
        d.lease_until, d.lease_owner = None, ""
        if status is not None and 200 <= status < 300:
            d.state, d.delivered_at = DeliveryState.DELIVERED, now
        elif d.attempts >= settings.EXCHANGE_WEBHOOK_MAX_ATTEMPTS:
            d.state = DeliveryState.DEAD
        else:
            d.next_attempt_at = now + timedelta(seconds=retry_delay(d.attempts))
        d.save(update_fields=_DELIVERY_FIELDS)
        _audit_delivery(d, owner)
    return d


_DELIVERY_FIELDS = [
    "attempts",
    "last_status",
    "last_error",
    "lease_until",
    "lease_owner",
    "state",
    "delivered_at",
    "next_attempt_at",
]


def _audit_delivery(d: WebhookDelivery, owner: str) -> None:
    audit_record(
        actor=None,
        actor_label=f"worker:{owner}",
        action=f"webhook.{'attempted' if d.state == DeliveryState.PENDING else d.state}",
        object_type="webhook_delivery",
        object_id=d.pk,
        after={"event": d.event_id, "attempts": d.attempts, "status": d.last_status},
    )


def retry_delay(attempts: int) -> float:
    """Exponential backoff from 30 s, capped at six hours, with jitter (half to all of it) so
    that a partner back from an outage is not hit by every retry at once."""
    ceiling = min(30.0 * float(2 ** max(attempts - 1, 0)), 6 * 3600.0)
    return ceiling * (0.5 + secrets.randbelow(501) / 1000)


def webhook_replay(*, delivery: WebhookDelivery, actor: User, ip: str | None = None) -> None:
    """Send a dead letter again: pending, due now, with its attempts counted afresh."""
    with transaction.atomic():
        d = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        if d.state != DeliveryState.DEAD:
            raise ValidationError("Only a dead letter can be replayed.")
        d.state, d.attempts, d.next_attempt_at = DeliveryState.PENDING, 0, utcnow()
        d.save(update_fields=["state", "attempts", "next_attempt_at"])
        audit_record(
            actor=actor,
            action="webhook.replayed",
            object_type="webhook_delivery",
            object_id=d.pk,
            after={"event": d.event_id, "partner": d.partner_id},
            ip=ip,
        )


# --------------------------------------------------------------------------- the pull feed


@dataclass(frozen=True)
class FeedItem:
    """One event of a partner's feed: the share's event as it left, or why it is withheld."""

    share_id: int
    event_type: str
    created_at: datetime
    webhook_id: str
    event: dict[str, Any] | None
    withheld: str = ""


def feed_read(
    *, partner: Partner, client: ApiClient, shares: list[Share], ip: str | None = None
) -> list[FeedItem]:
    """The feed items of `shares` (the partner's, in id order, from `selectors.feed_shares`):
    each share's event exactly as it was built for the partner by `exchange_package_for`,
    withheld if the report has since gone above the partner's level. The events that left are
    audited, one row per page that carried any."""
    items = [_feed_item(partner, share) for share in shares]
    sent = [item.share_id for item in items if item.event is not None]
    if sent:
        with transaction.atomic():
            audit_record(
                actor=None,
                actor_label=f"client:{client.name}",
                action="exchange.feed_read",
                object_type="partner",
                object_id=partner.pk,
                after={"partner": partner.code, "shares": sent},
                ip=ip,
            )
    return items


def _feed_item(partner: Partner, share: Share) -> FeedItem:
    delivery = getattr(share, "delivery", None)
    item = FeedItem(
        share_id=share.pk,
        event_type=share.event_type,
        created_at=share.created_at,
        webhook_id=delivery.event_id if delivery is not None else "",
        event=None,
    )
    # A report's level now (it may have risen since); a case's as it was shared.
    level = share.report.sharing_level if share.report is not None else share.tlp
    if level == SharingLevel.RED or tlp_rank(level) > tlp_rank(partner.max_level):
        return replace(item, withheld=f"Its sharing level is now {level}.")
    if not share.body:
        return replace(item, withheld="Shared before the feed kept events.")
    event: dict[str, Any] = json.loads(share.body)
    return replace(item, event=event)


# --------------------------------------------------------------------------- referrals in


class ReferralConflict(ValidationError):
    """The partner's referral id was used before with a different body."""


@dataclass(frozen=True)
class ReferralOutcome:
    """The report a partner's referral became, and whether it was stored just now."""

    report: Report
    external_id: str
    created: bool


def referral_receive(
    *,
    partner: Partner,
    client: ApiClient,
    draft: ReportDraft,
    body_sha256: str,
    ip: str | None = None,
) -> ReferralOutcome:
    """A partner's referral becomes a report through `report_submit` (channel partner, the
    partner's API client as its source), once: the partner's own id for it is the key, so the
    same referral again stores nothing, and the same id with another body is refused
    (`ReferralConflict`). Refusals of the draft raise `ValidationError`, nothing stored."""
    key = draft.external_id or ""
    if not key:
        raise ValidationError({"external_id": "A referral needs your own id for it."})
    earlier = _earlier_referral(partner, key)
    if earlier is not None:
        return _referral_again(earlier, body_sha256)
    try:
        with transaction.atomic():
            report = report_submit(draft=draft, api_client=client, ip=ip).report
            InboundReferral.objects.create(
                partner=partner,
                external_id=key,
                body_sha256=body_sha256,
                report=report,
                created_at=utcnow(),
            )
            audit_record(
                actor=None,
                actor_label=f"client:{client.name}",
                action="referral.received",
                object_type="report",
                object_id=report.pk,
                after={"partner": partner.code, "external_id": key, "sha256": body_sha256},
                ip=ip,
            )
    except IntegrityError:  # the same referral, sent twice at once: the other one won
        earlier = _earlier_referral(partner, key)
        if earlier is None:
            raise
        return _referral_again(earlier, body_sha256)
    return ReferralOutcome(report=report, external_id=key, created=True)


def _earlier_referral(partner: Partner, key: str) -> InboundReferral | None:
    rows = InboundReferral.objects.filter(partner=partner, external_id=key)
    return rows.select_related("report").first()


def _referral_again(earlier: InboundReferral, body_sha256: str) -> ReferralOutcome:
    if earlier.body_sha256 != body_sha256:
        raise ReferralConflict(
            f"Referral {earlier.external_id} was sent before with a different body."
        )
    return ReferralOutcome(report=earlier.report, external_id=earlier.external_id, created=False)


# --------------------------------------------------------------------------- to NCMEC


class ForwardFailed(ValidationError):
    """NCMEC did not take the report (its code and words), or forwarding is not set up."""


def ncmec_client() -> CyberTiplineClient:
    """The configured CyberTipline endpoint (settings `EXCHANGE_NCMEC_*`)."""
    if not settings.EXCHANGE_NCMEC_URL or not settings.EXCHANGE_NCMEC_REPORTER_EMAIL:
        raise ForwardFailed("Forwarding to NCMEC is not set up (TIPLINE_NCMEC_FORWARD_URL).")
    return CyberTiplineClient(
        base_url=settings.EXCHANGE_NCMEC_URL,
        username=settings.EXCHANGE_NCMEC_USERNAME,
        password=settings.EXCHANGE_NCMEC_PASSWORD,
        timeout=settings.EXCHANGE_NCMEC_TIMEOUT,
    )


def ncmec_forward(
    *,
    report: Report,
    partner: Partner,
    actor: User,
    client: CyberTiplineClient | None = None,
    ip: str | None = None,
) -> Share:
    """Forward a report to NCMEC's CyberTipline as an ESP would (submit, then finish; retract
    if finishing fails): only what `exchange_package_for` lets the NCMEC partner receive, as a
    CyberTipline report. A share records NCMEC's report id and exactly which fields went;
    a refusal by NCMEC is audited with its code and raises `ForwardFailed` (nothing shared)."""
    if partner.kind != PartnerKind.NCMEC:
        raise ForwardFailed(f"{partner.name} is not NCMEC.")
    package = exchange_package_for(partner=partner, report=report)
    client = client or ncmec_client()
    reporter = Reporter(
        email=settings.EXCHANGE_NCMEC_REPORTER_EMAIL,
        organisation=settings.EXCHANGE_NCMEC_REPORTER_NAME,
    )
    document = report_xml(package=package, reporter=reporter, when=utcnow().isoformat())
    try:
        ncmec_id = _submit_and_finish(client, document)
    except CyberTiplineError as exc:
        _audit_forward_failure(report, partner, actor, exc, ip)
        raise ForwardFailed(f"NCMEC refused the report ({exc.code}): {exc.message}") from None
    return _record_forward(report, partner, actor, package, ncmec_id, ip)


def _submit_and_finish(client: CyberTiplineClient, document: bytes) -> int:
    ncmec_id = client.submit(document)
    try:
        client.finish(ncmec_id)
    except CyberTiplineError:
        with contextlib.suppress(CyberTiplineError):  # leave no half-open report at NCMEC
            client.retract(ncmec_id)
        raise
    return ncmec_id


def _audit_forward_failure(
    report: Report, partner: Partner, actor: User, exc: CyberTiplineError, ip: str | None
) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="report.ncmec_forward_failed",
            object_type="report",
            object_id=report.pk,
            after={"partner": partner.code, "code": exc.code, "message": exc.message[:500]},
            ip=ip,
        )


def _record_forward(
    report: Report,
    partner: Partner,
    actor: User,
    package: dict[str, Any],
    ncmec_id: int,
    ip: str | None,
) -> Share:
    # NCMEC took it by its own API: no webhook goes as well.
    with transaction.atomic():
        return _share_record(
            partner=partner,
            package=package,
            event_type=EventType.NCMEC_FORWARDED,
            reason=f"CyberTipline report {ncmec_id}",
            actor=actor,
            audited=("report.shared", "report", report.pk),
            target={"report": report},
            deliver=False,
            ip=ip,
            ncmec_report=ncmec_id,
        )
