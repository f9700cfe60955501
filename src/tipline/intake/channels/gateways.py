"""The way replies leave and media comes in: one interface, one implementation per provider.

`gateway_for(provider)` answers by `CHANNEL_GATEWAYS`: `live` talks to the provider, `log` only
logs the length (development), `memory` keeps messages and serves media from a dict (tests).
Nothing here runs in a request: the worker sends (see `outbox`), and WhatsApp media is fetched
from the configured Graph endpoint only.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings

log = logging.getLogger(__name__)
CHUNK = 64 * 1024


class GatewayError(Exception):
    """The provider refused or could not be reached; the message stays due."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would take a message or a media request somewhere not configured."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


class Gateway(Protocol):
    """Sends one message; WhatsApp's also fetches media."""

    def send(self, *, to: str, body: str, options: Sequence[Sequence[str]] = ()) -> str: ...

    def fetch_media(self, media_id: str) -> Iterator[bytes]: ...


def _call(request: urllib.request.Request) -> dict[str, Any]:
    try:
        with _OPENER.open(request, timeout=settings.CHANNEL_HTTP_TIMEOUT) as response:
            data: dict[str, Any] = json.loads(response.read(1024 * 1024) or b"{}")
            return data
    except urllib.error.HTTPError as exc:
        raise GatewayError(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise GatewayError(str(exc)[:300]) from exc


def _form(url: str, fields: dict[str, str], headers: dict[str, str]) -> urllib.request.Request:
    body = urllib.parse.urlencode(fields).encode()
    headers = {**headers, "content-type": "application/x-www-form-urlencoded"}
    return urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310  # configured https URL


def _numbered_text(body: str, options: Sequence[Sequence[str]]) -> str:
    return "\n".join([body, *(f"{key} {label}" for key, label in options)]) if options else body


class AfricasTalkingSms:
    """Africa's Talking's bulk SMS API (replies come from the neutral sender id)."""

    def send(self, *, to: str, body: str, options: Sequence[Sequence[str]] = ()) -> str:
        fields = {
            "username": settings.AFRICASTALKING_USERNAME,
            "to": to,
            "message": _numbered_text(body, options),
        }
        if settings.CHANNEL_SENDER_ID:
            fields["from"] = settings.CHANNEL_SENDER_ID
        headers = {"apiKey": settings.AFRICASTALKING_API_KEY, "accept": "application/json"}
        data = _call(_form(settings.AFRICASTALKING_SMS_URL, fields, headers))
        recipients = data.get("SMSMessageData", {}).get("Recipients") or [{}]
        if recipients[0].get("status") not in ("Success", "Sent", "Submitted", "Queued"):
            raise GatewayError(str(recipients[0].get("status", "no recipient"))[:300])
        return str(recipients[0].get("messageId", ""))

    def fetch_media(self, media_id: str) -> Iterator[bytes]:
        raise GatewayError("SMS carries no media.")


class TwilioSms:
    """Twilio's Messages API."""

    def send(self, *, to: str, body: str, options: Sequence[Sequence[str]] = ()) -> str:
        sid, token = settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN
        url = f"{settings.TWILIO_API_URL}/2010-04-01/Accounts/{sid}/Messages.json"
        basic = base64.b64encode(f"{sid}:{token}".encode()).decode()
        fields = {"To": to, "From": settings.TWILIO_FROM, "Body": _numbered_text(body, options)}
        data = _call(_form(url, fields, {"authorization": f"Basic {basic}"}))
        return str(data.get("sid", ""))

    def fetch_media(self, media_id: str) -> Iterator[bytes]:
        raise GatewayError("SMS carries no media.")


class WhatsAppCloud:
    """The WhatsApp Cloud API: messages (buttons when a screen has up to three choices) and
    media, fetched from the configured Graph endpoint only."""

    def _headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {settings.WHATSAPP_ACCESS_TOKEN}"}

    def send(self, *, to: str, body: str, options: Sequence[Sequence[str]] = ()) -> str:
        url = f"{settings.WHATSAPP_GRAPH_URL}/{settings.WHATSAPP_PHONE_NUMBER_ID}/messages"
        payload = whatsapp_payload(to=to, body=body, options=options)
        request = urllib.request.Request(  # noqa: S310  # the configured Graph URL
            url,
            data=json.dumps(payload).encode(),
            method="POST",
            headers={**self._headers(), "content-type": "application/json"},
        )
        data = _call(request)
        return str((data.get("messages") or [{}])[0].get("id", ""))

    def fetch_media(self, media_id: str) -> Iterator[bytes]:
        if not media_id.isalnum():
            raise GatewayError("A media id is alphanumeric.")
        meta = urllib.request.Request(  # noqa: S310  # the configured Graph URL
            f"{settings.WHATSAPP_GRAPH_URL}/{media_id}", headers=self._headers()
        )
        url = str(_call(meta).get("url", ""))
        _check_media_url(url)
        request = urllib.request.Request(url, headers=self._headers())  # noqa: S310  # checked above
        return _stream(request)


def _check_media_url(url: str) -> None:
    graph = urllib.parse.urlsplit(settings.WHATSAPP_GRAPH_URL)
    given = urllib.parse.urlsplit(url)
    allowed = {graph.netloc, *settings.WHATSAPP_MEDIA_HOSTS}
    if given.scheme != graph.scheme or given.netloc not in allowed:
        raise GatewayError("The media URL is not on a configured host.")


def _stream(request: urllib.request.Request) -> Iterator[bytes]:
    try:
        with _OPENER.open(request, timeout=settings.CHANNEL_HTTP_TIMEOUT) as response:
            while chunk := response.read(CHUNK):
                yield chunk
    except urllib.error.HTTPError as exc:
        raise GatewayError(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise GatewayError(str(exc)[:300]) from exc


def whatsapp_payload(*, to: str, body: str, options: Sequence[Sequence[str]]) -> dict[str, Any]:
    """A text message, or buttons (up to three, titles of at most 20 characters) or a list (up
    to ten rows) when the screen offers choices."""
    base = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
    if not options:
        return {**base, "type": "text", "text": {"body": body[:4096]}}
    if len(options) <= 3:
        buttons = [
            {"type": "reply", "reply": {"id": k, "title": label[:20]}} for k, label in options
        ]
        action: dict[str, Any] = {"buttons": buttons}
        kind = "button"
    elif len(options) <= 10:
        rows = [{"id": k, "title": label[:24]} for k, label in options]
        action = {"button": "Choose", "sections": [{"title": "Choose", "rows": rows}]}
        kind = "list"
    else:
        return {**base, "type": "text", "text": {"body": _numbered_text(body, options)[:4096]}}
    interactive = {"type": kind, "body": {"text": body[:1024]}, "action": action}
    return {**base, "type": "interactive", "interactive": interactive}


class LogGateway:
    """Development: log that a message would leave (its length, never its words or number)."""

    def send(self, *, to: str, body: str, options: Sequence[Sequence[str]] = ()) -> str:
        log.info("Reply of %d characters not sent (TIPLINE_CHANNEL_GATEWAYS=log).", len(body))
        return f"log-{secrets.token_hex(8)}"

    def fetch_media(self, media_id: str) -> Iterator[bytes]:
        raise GatewayError("No media gateway in development (TIPLINE_CHANNEL_GATEWAYS=log).")


@dataclass
class MemoryGateway:
    """Tests: messages kept in `sent`, media served from `media`, failures on demand."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)
    fail: bool = False

    def send(self, *, to: str, body: str, options: Sequence[Sequence[str]] = ()) -> str:
        if self.fail:
            raise GatewayError("refused by the test")
        self.sent.append({"to": to, "body": body, "options": [list(o) for o in options]})
        return f"mem-{len(self.sent)}"

    def fetch_media(self, media_id: str) -> Iterator[bytes]:
        if media_id not in self.media:
            raise GatewayError("unknown media")
        data = self.media[media_id]
        for start in range(0, len(data), CHUNK):
            yield data[start : start + CHUNK]


MEMORY = MemoryGateway()
_LIVE: dict[str, type[AfricasTalkingSms | TwilioSms | WhatsAppCloud]] = {
    "africastalking": AfricasTalkingSms,
    "twilio": TwilioSms,
    "whatsapp": WhatsAppCloud,
}


def gateway_for(provider: str) -> Gateway:
    """The gateway of a provider under the configured mode (live, log or memory: the settings
    refuse to start with any other)."""
    mode = settings.CHANNEL_GATEWAYS
    if mode == "memory":
        return MEMORY
    if mode == "log":
        return LogGateway()
    return _LIVE[provider]()
