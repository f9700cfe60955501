"""Writes of the phone channels shared by USSD, SMS and WhatsApp: senders, conversations and
their submission, replies queued for the gateways."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from tipline.accounts.types import Actor
from tipline.audit.services import audit_record
from tipline.common.time import utcnow
from tipline.intake.channels.choices import ConversationState, DeliveryStatus
from tipline.intake.channels.drafts import PhoneReport, phone_draft
from tipline.intake.channels.menus import menu_for
from tipline.intake.channels.models import (
    ChannelMedia,
    ChannelSender,
    Conversation,
    FollowUp,
    InboundMessage,
    OutboundMessage,
)
from tipline.intake.channels.phones import normalize_phone, phone_index
from tipline.reports.drafts import FileDraft
from tipline.reports.models import Report
from tipline.reports.services import SubmitResult, report_submit


def sender_get_or_create(*, phone: str) -> ChannelSender:
    """The sender of a number, created on first contact (its number encrypted, found by index)."""
    number = normalize_phone(phone)
    index = phone_index(number)
    sender = ChannelSender.objects.filter(phone_index=index).first()
    if sender is not None:
        return sender
    try:
        with transaction.atomic():
            return ChannelSender.objects.create(phone_index=index, phone=number)
    except IntegrityError:  # a concurrent first message from the same number
        return ChannelSender.objects.get(phone_index=index)


def sender_set_opt_out(*, sender: ChannelSender, opted_out: bool, channel: str) -> None:
    """STOP (no more replies) or a new REPORT (replies again); audited, without the number."""
    with transaction.atomic():
        sender.opted_out_at = utcnow() if opted_out else None
        sender.save(update_fields=["opted_out_at"])
        audit_record(
            actor=None,
            action="channel.opted_out" if opted_out else "channel.opted_in",
            object_type="channel_sender",
            object_id=sender.pk,
            after={"channel": channel},
            actor_label=f"reporter:{channel}",
        )


def sender_set_language(*, sender: ChannelSender, language: str) -> None:
    """Remember the language a sender last chose, for replies outside a conversation."""
    if sender.language != language:
        sender.language = language
        sender.save(update_fields=["language"])


def inbound_seen(*, provider: str, message_id: str, channel: str, kind: str = "text") -> bool:
    """Record a provider's message id; False when it was recorded before (a replay).

    Runs inside the caller's transaction, so a message whose handling fails is not marked seen.
    """
    try:
        with transaction.atomic():
            InboundMessage.objects.create(
                provider=provider,
                message_id=message_id[:200],
                channel=channel,
                kind=kind,
                received_at=utcnow(),
            )
    except IntegrityError:
        return False
    return True


def reply_queue(
    *,
    sender: ChannelSender,
    channel: str,
    provider: str,
    body: str,
    options: Sequence[tuple[str, str]] = (),
    report: Report | None = None,
    force: bool = False,
) -> OutboundMessage | None:
    """Queue a reply for the worker to send; nothing for a sender who said STOP (unless
    `force`: the one confirmation that they will hear no more)."""
    if sender.opted_out_at is not None and not force:
        return None
    return OutboundMessage.objects.create(
        channel=channel,
        provider=provider,
        sender=sender,
        body=body,
        options=[list(o) for o in options],
        report=report,
        created_at=utcnow(),
        status=DeliveryStatus.QUEUED,
    )


def _files(conversation: Conversation) -> list[FileDraft]:
    return [
        FileDraft(
            original_name=m.original_name or None,
            size=m.size,
            content_type=m.content_type or None,
            md5=m.md5,
            sha1=m.sha1,
            sha256=m.sha256,
            storage_key=m.storage_key,
        )
        for m in ChannelMedia.objects.filter(conversation=conversation)
    ]


def conversation_submit(*, conversation: Conversation, answers: dict[str, str]) -> SubmitResult:
    """Turn a finished conversation into a report, once: the caller holds the conversation's
    row lock, so a replay waits and then finds the report already made."""
    phone_report = PhoneReport(
        channel=conversation.channel,
        language=conversation.language or "en",
        phone=conversation.sender.phone,
        answers=answers,
        provider=conversation.provider,
        network_code=conversation.network_code,
        files=_files(conversation),
        latitude=conversation.latitude,
        longitude=conversation.longitude,
    )
    result = report_submit(draft=phone_draft(phone_report))
    sender_set_language(sender=conversation.sender, language=phone_report.language)
    conversation.report = result.report
    conversation.receipt_code = result.receipt_code
    conversation.state = ConversationState.SUBMITTED
    conversation.updated_at = utcnow()
    conversation.save(update_fields=["report", "receipt_code", "state", "updated_at"])
    return result


def conversations_sweep() -> int:
    """Forget what ended conversations no longer need: receipt codes once a replay can no longer
    come, and whole conversations (their answers) a day after they ended or stalled."""
    now = utcnow()
    resume = timedelta(seconds=settings.CHANNEL_RESUME_SECONDS)
    Conversation.objects.filter(updated_at__lt=now - resume).exclude(receipt_code="").update(
        receipt_code=""
    )
    old = Conversation.objects.filter(updated_at__lt=now - timedelta(days=1))
    deleted, _ = old.exclude(state=ConversationState.OPEN).delete()
    stale, _ = old.filter(state=ConversationState.OPEN).delete()
    return deleted + stale


class FollowUpRefused(Exception):
    """The reporter cannot be asked: no consent, no phone channel, or they said STOP."""


def report_phone_sender(report: Report) -> ChannelSender | None:
    """The sender behind a phone-channel report, found by its reporter's number."""
    reporter = report.people.filter(role="reporter").first()
    phones = (reporter.details or {}).get("phones", []) if reporter else []
    if not phones:
        return None
    index = phone_index(normalize_phone(phones[0]["number"]))
    return ChannelSender.objects.filter(phone_index=index).first()


def _follow_up_route(report: Report) -> tuple[str, str]:
    """(channel, provider) a question goes by: WhatsApp back by WhatsApp, USSD and SMS by SMS."""
    provider = str(((report.extra or {}).get("channel") or {}).get("provider") or "")
    if report.channel == "whatsapp":
        return "whatsapp", "whatsapp"
    return "sms", provider if provider in ("africastalking", "twilio") else "africastalking"


def follow_up_ask(
    *, report: Report, question: str, actor: Actor, ip: str | None = None
) -> FollowUp:
    """Send a staff member's question to a reporter who agreed to be called back; their next
    message becomes an addendum of the report. Audited without the question's words."""
    question = " ".join(question.split())
    if not question:
        raise FollowUpRefused("Write the question.")
    if report.channel not in ("ussd", "sms", "whatsapp") or report.reporter_anonymous:
        raise FollowUpRefused("Only a phone reporter who agreed to be called back can be asked.")
    sender = report_phone_sender(report)
    if sender is None or sender.opted_out_at is not None:
        raise FollowUpRefused("The reporter's number is not reachable (or they said STOP).")
    channel, provider = _follow_up_route(report)
    menu_text = menu_for(sender.language)["sms"]["follow_up"]
    with transaction.atomic():
        follow_up = FollowUp.objects.create(
            report=report,
            sender=sender,
            channel=channel,
            question=question,
            asked_by=actor,
            asked_at=utcnow(),
        )
        body = menu_text.format(reference=report.reference, question=question)
        reply_queue(sender=sender, channel=channel, provider=provider, body=body, report=report)
        audit_record(
            actor=actor,
            action="report.follow_up_asked",
            object_type="report",
            object_id=report.pk,
            after={"channel": channel, "length": len(question)},
            ip=ip,
        )
    return follow_up
