"""Fixtures of the registry: invented children, registered through the real services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.common.time import utcnow
from tipline.missing.choices import RecordStatus, Source
from tipline.missing.drafts import RecordInput
from tipline.missing.models import MissingRecord
from tipline.missing.services import missing_record_create, missing_transition


def record_input(**overrides: Any) -> RecordInput:
    """An invented child last seen in Ikeja two days ago; override any field."""
    values: dict[str, Any] = {
        "given_names": "Temitope",
        "family_name": "Adebayo",
        "other_names": ["Tope"],
        "sex": "f",
        "age": 11,
        "description": "Invented: a blue school uniform.",
        "circumstance": "abducted_stranger",
        "last_seen_at": utcnow() - timedelta(days=2),
        "last_seen_state": "LA",
        "last_seen_lga": "Ikeja",
        "last_seen_place": "Invented market",
        "guardians": [
            {"name": "Invented Guardian", "relationship": "mother", "phones": ["08031110000"]}
        ],
        "consent_public": True,
    }
    values.update(overrides)
    return RecordInput.model_validate(values)


@pytest.fixture
def supervisor(make_user: Callable[..., User]) -> User:
    """A Lagos supervisor: verifies records."""
    return make_user(Role.SUPERVISOR, ("LAG",))


@pytest.fixture
def make_record(lagos_analyst: User) -> Callable[..., MissingRecord]:
    def make(**overrides: Any) -> MissingRecord:
        return missing_record_create(
            data=record_input(**overrides), source=Source.CONSOLE, actor=lagos_analyst
        ).record

    return make


@pytest.fixture
def verified_record(make_record: Callable[..., MissingRecord], supervisor: User) -> MissingRecord:
    record = make_record()
    return missing_transition(record=record, to=RecordStatus.VERIFIED, actor=supervisor)
