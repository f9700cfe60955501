"""Replies and questions to reporters, sent by the worker, and their delivery reports."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from tipline.common.time import utcnow
from tipline.intake.channels.choices import DeliveryStatus
from tipline.intake.channels.gateways import GatewayError, gateway_for
from tipline.intake.channels.models import OutboundMessage

MAX_ATTEMPTS = 5
# Providers' words for a delivery report, in ours.
PROVIDER_STATUSES = {
    "success": DeliveryStatus.DELIVERED,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.DELIVERED,
    "sent": DeliveryStatus.SENT,
    "submitted": DeliveryStatus.SENT,
    "buffered": DeliveryStatus.SENT,
    "queued": DeliveryStatus.SENT,
    "failed": DeliveryStatus.FAILED,
    "rejected": DeliveryStatus.FAILED,
    "undelivered": DeliveryStatus.FAILED,
}


def _claim(message_id: int) -> bool:
    """Take one queued message for this worker (a conditional UPDATE: one worker wins)."""
    return bool(
        OutboundMessage.objects.filter(pk=message_id, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.SENDING, status_at=utcnow()
        )
    )


def _send_one(message: OutboundMessage) -> bool:
    gateway = gateway_for(message.provider)
    try:
        provider_id = gateway.send(
            to=message.sender.phone, body=message.body, options=message.options
        )
    except GatewayError as exc:
        message.attempts += 1
        failed = message.attempts >= MAX_ATTEMPTS
        message.status = DeliveryStatus.FAILED if failed else DeliveryStatus.QUEUED
        message.last_error = str(exc)[:500]
        message.save(update_fields=["attempts", "status", "last_error", "status_at"])
        return False
    message.attempts += 1
    message.status, message.provider_message_id = DeliveryStatus.SENT, provider_id[:200]
    message.status_at = utcnow()
    message.save(update_fields=["attempts", "status", "provider_message_id", "status_at"])
    return True


def outbox_send_due() -> int:
    """Send up to a batch of queued messages, oldest first; how many were sent. Idempotent:
    a message is claimed before it is sent, so two workers never send it twice."""
    due = OutboundMessage.objects.filter(status=DeliveryStatus.QUEUED).order_by("id")
    sent = 0
    for pk in list(due.values_list("pk", flat=True)[: settings.CHANNEL_SEND_BATCH]):
        if not _claim(pk):
            continue
        message = OutboundMessage.objects.select_related("sender").get(pk=pk)
        sent += _send_one(message)
    return sent


def outbound_record_status(*, provider: str, provider_message_id: str, status: str) -> bool:
    """Record a provider's delivery report; False when the message or the status is unknown."""
    ours = PROVIDER_STATUSES.get(status.strip().lower())
    if ours is None or not provider_message_id:
        return False
    with transaction.atomic():
        updated = (
            OutboundMessage.objects.filter(
                provider=provider, provider_message_id=provider_message_id
            )
            .exclude(status=DeliveryStatus.DELIVERED)
            .update(status=ours, status_at=utcnow())
        )
    return bool(updated)
