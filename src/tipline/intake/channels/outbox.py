"""Replies and questions to reporters, sent by the worker, and their delivery reports."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F

from tipline.common.time import utcnow
from tipline.intake.channels.choices import DeliveryStatus
from tipline.intake.channels.gateways import GatewayError, gateway_for
from tipline.intake.channels.models import OutboundMessage

MAX_ATTEMPTS = 5
# How long a claimed message may stay "sending": a send takes at most the gateway's timeout
# (TIPLINE_CHANNEL_HTTP_TIMEOUT, 10 s by default), so a claim this old belongs to a dead worker.
SENDING_LEASE = timedelta(minutes=5)
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
    """Take one queued message for this worker (a conditional UPDATE: one worker wins). The
    attempt is counted at the claim, so a message whose sending kills the worker is not
    retried for ever."""
    return bool(
        OutboundMessage.objects.filter(pk=message_id, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.SENDING, status_at=utcnow(), attempts=F("attempts") + 1
        )
    )


def _send_one(message: OutboundMessage) -> bool:
    gateway = gateway_for(message.provider)
    try:
        provider_id = gateway.send(
            to=message.sender.phone, body=message.body, options=message.options
        )
    except GatewayError as exc:
        failed = message.attempts >= MAX_ATTEMPTS
        message.status = DeliveryStatus.FAILED if failed else DeliveryStatus.QUEUED
        message.last_error, message.status_at = str(exc)[:500], utcnow()
        message.save(update_fields=["status", "last_error", "status_at"])
        return False
    message.status, message.provider_message_id = DeliveryStatus.SENT, provider_id[:200]
    message.status_at = utcnow()
    message.save(update_fields=["status", "provider_message_id", "status_at"])
    return True


def outbox_requeue_lapsed() -> int:
    """Messages claimed longer than `SENDING_LEASE` ago whose worker died before it recorded
    the outcome: queued again (or failed, once out of attempts). How many. Such a message may
    have left already, so the reporter may get it twice: at least once, never lost."""
    lapsed = OutboundMessage.objects.filter(
        status=DeliveryStatus.SENDING, status_at__lt=utcnow() - SENDING_LEASE
    )
    error = "The worker stopped while sending."
    failed = lapsed.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=DeliveryStatus.FAILED, last_error=error, status_at=utcnow()
    )
    queued = lapsed.update(status=DeliveryStatus.QUEUED, last_error=error)
    return failed + queued


def outbox_send_due() -> int:
    """Send up to a batch of queued messages, oldest first; how many were sent. Idempotent:
    a message is claimed before it is sent, so two workers never send it twice; a claim whose
    worker died lapses (`outbox_requeue_lapsed`) and the message is sent again."""
    outbox_requeue_lapsed()
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
