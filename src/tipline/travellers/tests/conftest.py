"""Fixtures of travel notices: invented travellers, received through the real services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from tipline.accounts.choices import ClientKind, Role, Scope
from tipline.accounts.models import ApiClient, User
from tipline.accounts.services import api_client_create
from tipline.common.time import utcnow
from tipline.travellers.choices import Source
from tipline.travellers.drafts import NoticeInput
from tipline.travellers.models import Notice
from tipline.travellers.services import notice_receive

# ICAO 9303 Part 4 (Appendix B) specimen passport of the fictitious state Utopia.
SPECIMEN_MRZ = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
)


def notice_input(**overrides: Any) -> NoticeInput:
    """An invented British traveller arriving in Lagos tomorrow for a week; override any field."""
    now = utcnow()
    values: dict[str, Any] = {
        "id": "INVENTED-GN-0001",
        "sender_agency": "Invented Sending Agency",
        "channel": "interpol_green",
        "given_names": "Michael",
        "family_name": "Invented-Smith",
        "sex": "m",
        "date_of_birth": "1968-04-12",
        "nationalities": ["GBR"],
        "passport_number": "123456789",
        "arrival": (now + timedelta(days=1)).isoformat(),
        "departure": (now + timedelta(days=8)).isoformat(),
        "port_of_entry": "LOS",
        "destination_state": "LA",
        "destination_place": "Invented Palm Hotel, Victoria Island",
        "phones": ["+447700900123"],
    }
    values.update(overrides)
    return NoticeInput.model_validate(values)


@pytest.fixture
def desk_officer(make_user: Callable[..., User]) -> User:
    """A national desk liaison officer: enters notices."""
    return make_user(Role.PARTNER_LIAISON, ("NAT",))


@pytest.fixture
def make_notice(desk_officer: User) -> Callable[..., Notice]:
    def make(**overrides: Any) -> Notice:
        return notice_receive(
            data=notice_input(**overrides), source=Source.CONSOLE, actor=desk_officer
        ).notice

    return make


@pytest.fixture
def partner(db: Any) -> tuple[ApiClient, str]:
    created = api_client_create(
        name="Invented Partner Agency", kind=ClientKind.PARTNER, scopes=[Scope.NOTICES_SUBMIT]
    )
    return created.client, created.api_key


@pytest.fixture
def border(db: Any) -> tuple[ApiClient, str]:
    created = api_client_create(
        name="Invented Border Agency", kind=ClientKind.PARTNER, scopes=[Scope.NOTICES_CONFIRM]
    )
    return created.client, created.api_key
