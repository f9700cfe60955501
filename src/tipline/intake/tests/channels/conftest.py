"""Shared helpers of the phone-channel tests: invented numbers, callbacks as providers send them."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tipline.geo.models import RegionalCommand
from tipline.intake.channels.gateways import MEMORY
from tipline.intake.channels.outbox import outbox_send_due
from tipline.intake.channels.signatures import twilio_signature

AT_KEY = "dev-at-callback-token"
USSD_URL = f"/channels/ussd/africastalking/?key={AT_KEY}"
PHONE = "+2348031234567"


SMS_URL = f"/channels/sms/africastalking/?key={AT_KEY}"
TWILIO_URL = "/channels/sms/twilio/"
TWILIO_TOKEN = "dev-twilio-auth-token"


@pytest.fixture(autouse=True)
def _clean(db: Any, geo: dict[str, RegionalCommand], settings: Any) -> None:
    cache.clear()  # rate limits
    settings.CHANNEL_GATEWAYS = "memory"
    MEMORY.sent.clear()
    MEMORY.media.clear()
    MEMORY.fail = False


_ids = itertools.count(1)


def sms(client: Client, text: str, *, phone: str = PHONE, message_id: str | None = None) -> None:
    """Post one Africa's Talking incoming SMS (a new message id unless one is given)."""
    response = client.post(
        SMS_URL,
        {
            "from": phone,
            "to": "32627",
            "text": text,
            "date": "2026-03-04T10:15:30.000Z",
            "id": message_id or f"ATXid_{next(_ids):032d}",
            "linkId": "x",
            "networkCode": "62130",
        },
    )
    assert response.status_code == 200, response.content


def replies(phone: str = PHONE) -> list[str]:
    """Send what is queued (as the worker does) and return every body sent to `phone` so far."""
    outbox_send_due()
    return [m["body"] for m in MEMORY.sent if m["to"] == phone]


def twilio_post(
    client: Client, data: dict[str, str], *, url: str = TWILIO_URL, signature: str | None = None
) -> Any:
    """Post form fields to a Twilio webhook, signed as Twilio signs them unless told otherwise."""
    params = {key: [value] for key, value in data.items()}
    signed = twilio_signature(auth_token=TWILIO_TOKEN, url=f"http://testserver{url}", params=params)
    return client.post(
        url, data, HTTP_X_TWILIO_SIGNATURE=signature if signature is not None else signed
    )


def ussd(
    client: Client,
    text: str,
    *,
    session: str = "ATUid_1",
    phone: str = PHONE,
    network: str = "62130",
) -> str:
    """Post one USSD callback and return the reply (asserting it is a 200 text answer)."""
    response = client.post(
        USSD_URL,
        {
            "sessionId": session,
            "serviceCode": "*347*627#",
            "phoneNumber": phone,
            "networkCode": network,
            "text": text,
        },
    )
    assert response.status_code == 200, response.content
    body: str = response.content.decode()
    return body
