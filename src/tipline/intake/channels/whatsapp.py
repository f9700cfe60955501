"""The WhatsApp Cloud API webhook: the payload's messages and statuses, into the conversation.

The view has checked `X-Hub-Signature-256` over the raw body before anything here runs. Each
message id counts once; a media file is fetched through the gateway (from the configured Graph
endpoint only) and streamed into encrypted storage, hashed as it goes, before its message is
recorded, and discarded if the message turns out to be a replay.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings

from tipline.intake.channels.conversation import Incoming, message_receive
from tipline.intake.channels.gateways import GatewayError, gateway_for
from tipline.intake.channels.models import InboundMessage
from tipline.intake.channels.outbox import outbound_record_status
from tipline.media.orphans import media_discard_unreferenced
from tipline.media.storage import EncryptedWriter, StoredBlob

PROVIDER = "whatsapp"
MEDIA_KINDS = ("image", "video", "audio", "document")


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


def _fetch(media_id: str) -> StoredBlob | None:
    """Stream a media file into encrypted storage; None when it cannot be had (or is too big)."""
    writer, size = EncryptedWriter(), 0
    try:
        for chunk in gateway_for(PROVIDER).fetch_media(media_id):
            size += len(chunk)
            if size > settings.WHATSAPP_MEDIA_MAX_BYTES:
                raise GatewayError("The file is larger than the limit.")
            writer.write(chunk)
    except GatewayError:
        writer.abort()
        return None
    return writer.close()


def _seen(message_id: str) -> bool:
    return InboundMessage.objects.filter(provider=PROVIDER, message_id=message_id).exists()


def _receive(message: dict[str, Any]) -> None:
    item = incoming(message)
    if not item.phone or _seen(item.message_id):
        return
    blob = None
    if item.kind in MEDIA_KINDS:
        media_id = str((message.get(item.kind) or {}).get("id", ""))
        blob = _fetch(media_id)
        if blob is None:
            item = Incoming(**{**item.__dict__, "kind": "unsupported"})
    try:
        taken = message_receive(item, blob=blob)
    except BaseException:
        if blob is not None:
            media_discard_unreferenced(keys=[blob.key])
        raise
    if blob is not None and not taken:
        media_discard_unreferenced(keys=[blob.key])  # a replay that raced this one


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
