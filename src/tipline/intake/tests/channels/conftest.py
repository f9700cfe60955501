"""Shared helpers of the phone-channel tests: invented numbers, callbacks as providers send them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from tipline.geo.models import RegionalCommand

AT_KEY = "dev-at-callback-token"
USSD_URL = f"/channels/ussd/africastalking/?key={AT_KEY}"
PHONE = "+2348031234567"


@pytest.fixture(autouse=True)
def _clean(db: Any, geo: dict[str, RegionalCommand]) -> None:
    cache.clear()  # rate limits


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
