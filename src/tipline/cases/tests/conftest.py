"""Case fixtures: a Lagos investigator's case built through the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.cases.models import Case
from tipline.cases.services import case_open
from tipline.reports.models import Report


@pytest.fixture
def investigator(make_user: Callable[..., User]) -> User:
    return make_user(Role.INVESTIGATOR, ("LAG",))


@pytest.fixture
def colleague(make_user: Callable[..., User]) -> User:
    """Same command, not on the team: an outsider to the case."""
    return make_user(Role.INVESTIGATOR, ("LAG",))


@pytest.fixture
def make_case(investigator: User, geo: Any) -> Callable[..., Case]:
    def make(reports: tuple[Report, ...] = (), **overrides: Any) -> Case:
        values: dict[str, Any] = {
            "command": geo["LAG"],
            "lead": investigator,
            "title": "Invented recruitment ring",
            "actor": investigator,
            "reports": reports,
        }
        values.update(overrides)
        return case_open(**values)

    return make
