"""Shared test fixtures. Test data is built through the real services; people are invented."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tipline.accounts.choices import ClientKind, Role, Scope
from tipline.accounts.models import ApiClient, User
from tipline.accounts.services import api_client_create, user_create
from tipline.geo.models import RegionalCommand
from tipline.geo.services import geo_seed_defaults
from tipline.media.index import reset_for_tests
from tipline.media.tests.seaweed import (  # noqa: F401  # fixtures for every app
    s3_server,
    s3_settings,
)
from tipline.pipeline.services import pipeline_run
from tipline.reports.choices import Channel, PersonRole
from tipline.reports.drafts import IncidentDraft, PersonDraft, Phone, ReportDraft
from tipline.reports.models import Report
from tipline.reports.services import report_submit

PASSWORD = "correct horse battery staple"

# The property tests check what is true of any input, not how fast it is made: on a shared, loaded
# CI machine Hypothesis' deadline and too-slow check failed them for timing alone.
hypothesis_settings.register_profile(
    "tipline", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("tipline")


@pytest.fixture(autouse=True)
def _fresh_matcher_index() -> None:
    """Each test starts with no in-process matcher state. Its freshness check is the hash-list
    version counter, which a test's rollback winds back; on PostgreSQL entry ids do not wind back
    with it, so a later test at the same version would match against the earlier test's entries."""
    reset_for_tests()


@pytest.fixture
def geo(db: Any) -> dict[str, RegionalCommand]:
    """The default commands and states, by command code."""
    geo_seed_defaults()
    return {c.code: c for c in RegionalCommand.objects.all()}


@pytest.fixture
def make_user(geo: dict[str, RegionalCommand]) -> Callable[..., User]:
    """Create a staff user in the given commands (codes)."""
    counter = iter(range(10_000))

    def make(
        role: str = Role.ANALYST, commands: tuple[str, ...] = ("LAG",), national: bool = False
    ) -> User:
        return user_create(
            username=f"{role}{next(counter)}",
            password=PASSWORD,
            role=role,
            commands=[geo[c] for c in commands],
            is_national=national,
        )

    return make


@pytest.fixture
def lagos_analyst(make_user: Callable[..., User]) -> User:
    return make_user(Role.ANALYST, ("LAG",))


@pytest.fixture
def kano_analyst(make_user: Callable[..., User]) -> User:
    """The outsider of most tests: an analyst of another command."""
    return make_user(Role.ANALYST, ("KAN",))


def login(user: User) -> Client:
    """A test client logged in as `user`."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def platform(db: Any) -> tuple[ApiClient, str]:
    """A platform API client and its key."""
    created = api_client_create(
        name="Example Platform",
        kind=ClientKind.PLATFORM,
        scopes=[Scope.REPORTS_SUBMIT, Scope.ISPWS],
    )
    return created.client, created.api_key


def draft(**overrides: Any) -> ReportDraft:
    """A small valid draft; override any top-level field."""
    values: dict[str, Any] = {
        "channel": Channel.WEB,
        "incident": IncidentDraft(
            type="online_enticement",
            description="An invented adult messages an invented child.",
            state_code="LA",
        ),
        "people": [
            PersonDraft(
                role=PersonRole.VICTIM,
                first_name="Adaeze",
                last_name="Invented",
                phones=[Phone(number="08031234567")],
            )
        ],
    }
    values.update(overrides)
    return ReportDraft(**values)


@pytest.fixture
def lagos_report(geo: dict[str, RegionalCommand]) -> Report:
    """A submitted report, processed so that it is routed to the Lagos command."""
    result = report_submit(draft=draft())
    pipeline_run(report_id=result.report.pk)
    return Report.objects.get(pk=result.report.pk)
