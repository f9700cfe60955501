"""The WhatsApp Cloud API webhook: the payload's messages and statuses, into the conversation.

The view has checked `X-Hub-Signature-256` over the raw body before anything here runs. Each
message id counts once. A media message is only recorded (`MediaFetch`) in the webhook, which
must answer Meta quickly; the worker (`media_fetch_due`, a periodic job) fetches the file through
the gateway (from the configured Graph endpoint only), streams it into encrypted storage, hashed
as it goes, and then hands the message to the conversation; a file whose message turns out to be
a replay is discarded. While a sender has a message waiting, their next messages wait behind it
and are handed over in order: a reporter who sends a photo and at once answers "send" has the
photo in the report, not in a conversation of its own.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q

from tipline.common.time import utcnow
from tipline.intake.channels.conversation import Incoming, message_receive
from tipline.intake.channels.gateways import GatewayError, gateway_for
from tipline.intake.channels.models import InboundMessage, MediaFetch
from tipline.intake.channels.outbox import outbound_record_status
from tipline.intake.channels.phones import normalize_phone, phone_index
from tipline.media.orphans import media_discard_unreferenced
from tipline.media.storage import EncryptedWriter, StoredBlob

PROVIDER = "whatsapp"
MEDIA_KINDS = ("image", "video", "audio", "document")
# A media fetch is tried this many times, FETCH_RETRY × the attempts apart, before the reporter
# is told the file did not come through. A fetch takes at most the gateway's timeout per request
# for a file of up to WHATSAPP_MEDIA_MAX_BYTES, so a lease this long belongs to a dead worker.
FETCH_ATTEMPTS = 3
FETCH_RETRY = timedelta(seconds=30)
FETCH_LEASE = timedelta(minutes=10)


class PayloadError(ValueError):
    """The body is not a WhatsApp webhook payload."""


def _changes(payload: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        raise PayloadError("No entry list.")
    for entry in payload["entry"]:
        for change in (entry or {}).get("changes") or []:
            value = (change or {}).get("value")
            if isinstance(value, dict):
                yield value


def parse(body: bytes) -> list[dict[str, Any]]:
    """The `value`s of a webhook body, checked for shape; `PayloadError` when it is not one."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError("Not JSON.") from exc
    values = list(_changes(payload))
    for value in values:
        for key in ("messages", "statuses"):
            items = value.get(key, [])
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise PayloadError(f"{key} is not a list of objects.")
            if any(not isinstance(i.get("id"), str) for i in items):
                raise PayloadError(f"An item of {key} has no id.")
    return values


def _text_of(message: dict[str, Any]) -> tuple[str, str]:
    """(kind, text) of a text or an answer given with a button or a list row."""
    kind = message.get("type")
    if kind == "text":
        return "text", str((message.get("text") or {}).get("body", ""))
    if kind == "interactive":
        chosen = message.get("interactive") or {}
        reply = chosen.get("button_reply") or chosen.get("list_reply") or {}
        return "text", str(reply.get("id", ""))
    if kind == "button":
        return "text", str((message.get("button") or {}).get("payload", ""))
    return "unsupported", ""


def incoming(message: dict[str, Any]) -> Incoming:
    """One message of the payload as the conversation takes it."""
    kind = str(message.get("type", ""))
    base = {
        "channel": "whatsapp",
        "provider": PROVIDER,
        "message_id": message["id"],
        "phone": str(message.get("from", "")),
    }
    if kind in MEDIA_KINDS:
        media = message.get(kind) or {}
        return Incoming(
            **base,
            kind=kind,
            text=str(media.get("caption", "")),
            media_type=str(media.get("mime_type", "")),
            file_name=str(media.get("filename", "")),
        )
    if kind == "location":
        where = message.get("location") or {}
        try:
            lat, lon = float(where["latitude"]), float(where["longitude"])
        except (KeyError, TypeError, ValueError):
            return Incoming(**base, kind="unsupported")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return Incoming(**base, kind="unsupported")
        return Incoming(**base, kind="location", latitude=lat, longitude=lon)
    text_kind, text = _text_of(message)
    return Incoming(**base, kind=text_kind, text=text)


def _fetch(media_id: str) -> StoredBlob:
    """Stream a media file into encrypted storage; `GatewayError` when it cannot be had (or is
    larger than the limit)."""
    writer, size = EncryptedWriter(), 0
    try:
        for chunk in gateway_for(PROVIDER).fetch_media(media_id):
            size += len(chunk)
            if size > settings.WHATSAPP_MEDIA_MAX_BYTES:
                raise GatewayError("The file is larger than the limit.")
            writer.write(chunk)
    except BaseException:
        writer.abort()
        raise
    return writer.close()


def _seen(message_id: str) -> bool:
    return InboundMessage.objects.filter(provider=PROVIDER, message_id=message_id).exists()


def _queue(message: dict[str, Any], sender: str) -> None:
    """Record a message for the worker; a replay (its id already queued) adds nothing."""
    now = utcnow()
    with contextlib.suppress(IntegrityError), transaction.atomic():
        MediaFetch.objects.create(
            message_id=message["id"][:200],
            message=message,
            phone_digest=sender,
            next_attempt_at=now,
            created_at=now,
        )


def _receive(message: dict[str, Any]) -> None:
    item = incoming(message)
    if not item.phone or _seen(item.message_id):
        return
    sender = phone_index(normalize_phone(item.phone))
    if item.kind in MEDIA_KINDS or MediaFetch.objects.filter(phone_digest=sender).exists():
        _queue(message, sender)  # a file to fetch, or a message behind one
        return
    message_receive(item)


def _handle(item: Incoming, blob: StoredBlob | None, fetch_id: int) -> None:
    """Give the message (and its file) to the conversation and drop the fetch, at once."""
    try:
        with transaction.atomic():
            taken = message_receive(item, blob=blob)
            MediaFetch.objects.filter(pk=fetch_id).delete()
    except BaseException:
        if blob is not None:
            media_discard_unreferenced(keys=[blob.key])
        raise
    if blob is not None and not taken:
        media_discard_unreferenced(keys=[blob.key])  # a replay that raced this one


def _claim(fetch_id: int) -> bool:
    """Lease one due fetch for this worker (a conditional UPDATE: one worker wins)."""
    now = utcnow()
    lapsed = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    claimed = MediaFetch.objects.filter(lapsed, pk=fetch_id, next_attempt_at__lte=now).update(
        lease_until=now + FETCH_LEASE, attempts=F("attempts") + 1
    )
    return bool(claimed)


def _fetch_one(fetch: MediaFetch) -> None:
    message = fetch.message
    item = incoming(message)
    if item.kind not in MEDIA_KINDS:
        _handle(item, None, fetch.pk)  # it waited behind a file of the same sender
        return
    try:
        blob = _fetch(str((message.get(item.kind) or {}).get("id", "")))
    except GatewayError as exc:
        if fetch.attempts < FETCH_ATTEMPTS:  # tried again later, with the lease given back
            retry = utcnow() + FETCH_RETRY * fetch.attempts
            MediaFetch.objects.filter(pk=fetch.pk).update(
                lease_until=None, next_attempt_at=retry, last_error=str(exc)[:500]
            )
            return
        # Given up: the reporter is told the file did not come through.
        item, blob = replace(item, kind="unsupported"), None
    _handle(item, blob, fetch.pk)


def _behind(pk: int, sender: str) -> bool:
    """Whether an earlier message of the same sender is still waiting (a file being fetched or
    due again later): this one goes after it."""
    return bool(sender) and MediaFetch.objects.filter(phone_digest=sender, pk__lt=pk).exists()


def media_fetch_due() -> int:
    """Fetch the files of due media messages, oldest first, and hand the messages (and those
    waiting behind them) to their conversations, each sender's in the order they came; how many
    were handled. Idempotent: each row is leased before it runs, a lease whose worker died
    lapses, and the message id makes the handling count once."""
    now = utcnow()
    due = MediaFetch.objects.filter(next_attempt_at__lte=now).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    )
    handled = 0
    rows = due.order_by("id").values_list("pk", "phone_digest")[: settings.CHANNEL_SEND_BATCH]
    for pk, sender in list(rows):
        if _behind(pk, sender) or not _claim(pk):
            continue
        fetch = MediaFetch.objects.filter(pk=pk).first()
        if fetch is not None:
            _fetch_one(fetch)
            handled += 1
    return handled


def whatsapp_receive(values: list[dict[str, Any]]) -> int:
    """Handle a webhook's messages and record its statuses; how many messages were new."""
    handled = 0
    for value in values:
        for message in value.get("messages", []):
            _receive(message)
            handled += 1
        for status in value.get("statuses", []):
            outbound_record_status(
                provider=PROVIDER,
                provider_message_id=status["id"],
                status=str(status.get("status", "")),
            )
    return handled
