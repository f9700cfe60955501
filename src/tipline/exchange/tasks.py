"""Owed updates and webhook delivery, periodic jobs of `tipline worker` (settings.PERIODIC_JOBS).

The deliveries table is the queue. A claim leases, oldest first, the due deliveries that are the
earliest pending one of their partner, so a partner receives its events in event-id order, and
one event held back for a retry holds that partner's later ones too. PostgreSQL claims with
SKIP LOCKED (workers take disjoint rows without waiting); SQLite's transactions are IMMEDIATE.
A dead letter does not hold a partner up: it waits in the console for a replay.
"""

from __future__ import annotations

import secrets
import time
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from tipline.common.time import utcnow
from tipline.exchange.choices import DeliveryState
from tipline.exchange.events import announcements_send_due
from tipline.exchange.models import WebhookDelivery, WebhookSecret
from tipline.exchange.services import webhook_delivery_record
from tipline.exchange.signing import headers

LEASE = timedelta(minutes=2)


def announcements_due() -> int:
    """The partners' updates still owed (see `exchange.events`): those whose send after their
    commit never ran (the process died) or failed; how many were sent."""
    return announcements_send_due()


def webhooks_deliver_due(*, size: int = 20, budget: float = 5.0) -> int:
    """Claim and deliver due webhooks, a batch at a time, until none is due or `budget` seconds
    have gone (the job shares the worker with the pipeline: a slow partner must not hold reports
    up for long; what is left is claimed at the job's next turn). How many were tried."""
    tried, started = 0, time.monotonic()
    while time.monotonic() - started < budget:
        owner = secrets.token_hex(8)
        claimed = _claim(size, owner)
        for delivery in claimed:
            if time.monotonic() - started < budget:
                _deliver(delivery, owner)
                tried += 1
            else:  # not tried: its lease is given back so the next turn takes it at once
                WebhookDelivery.objects.filter(pk=delivery.pk, lease_owner=owner).update(
                    lease_until=None, lease_owner=""
                )
        if not claimed:
            break
    return tried


def _claim(size: int, owner: str) -> list[WebhookDelivery]:
    now = utcnow()
    earlier = WebhookDelivery.objects.filter(
        partner_id=OuterRef("partner_id"), state=DeliveryState.PENDING, pk__lt=OuterRef("pk")
    )
    lapsed = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    due = WebhookDelivery.objects.filter(
        lapsed, state=DeliveryState.PENDING, next_attempt_at__lte=now
    )
    with transaction.atomic():
        ids = list(
            due.filter(~Exists(earlier))
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:size]
        )
        WebhookDelivery.objects.filter(pk__in=ids).update(
            lease_until=now + LEASE, lease_owner=owner
        )
    return list(WebhookDelivery.objects.filter(pk__in=ids).select_related("partner"))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would send the package somewhere other than the partner's endpoint."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# No proxy from the environment and no redirects: the package goes to the endpoint or nowhere.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def live_secrets(partner_id: int) -> list[str]:
    """The partner's secrets that still sign, newest first."""
    now = utcnow()
    rows = WebhookSecret.objects.filter(partner_id=partner_id).filter(
        Q(retires_at__isnull=True) | Q(retires_at__gt=now)
    )
    return [row.secret for row in rows.order_by("-created_at", "-pk")]


def _deliver(delivery: WebhookDelivery, owner: str) -> None:
    status, error = _post(delivery)
    webhook_delivery_record(delivery=delivery, status=status, error=error, owner=owner)


def _post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """POST the signed event to the partner's endpoint: the HTTP status, or None and why."""
    url = delivery.partner.webhook_url
    if not url or not delivery.partner.is_active:
        return None, "The partner has no active endpoint."
    body = delivery.body.encode()
    signed = headers(
        secrets_=live_secrets(delivery.partner_id),
        msg_id=delivery.event_id,
        timestamp=int(time.time()),  # fresh on every attempt, as the specification asks
        body=body,
    )
    request = urllib.request.Request(  # noqa: S310  # the scheme is checked when the URL is set
        url, data=body, method="POST", headers={**signed, "content-type": "application/json"}
    )
    try:
        with _OPENER.open(request, timeout=settings.EXCHANGE_WEBHOOK_TIMEOUT) as response:
            return int(response.status), ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        return None, str(exc)[:500]
