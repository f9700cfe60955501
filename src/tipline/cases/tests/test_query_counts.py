"""The case pages make the same number of queries however much a case holds (no query per row):
each is measured over a case with one round of everything, then again after a second round."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.cases.models import Case, CaseInvolvement, Organisation
from tipline.cases.selectors import today_wat
from tipline.cases.services import (
    case_add_note,
    case_person_add,
    case_task_add,
    custody_record,
    evidence_add_physical,
)
from tipline.cases.services.legal import legal_request_draft, legal_request_transition
from tipline.cases.services.support import (
    OutcomeInput,
    ReferralInput,
    outcome_record,
    referral_record,
)
from tipline.cases.services.victims import (
    MovementInput,
    VictimContextInput,
    victim_context_save,
    victim_movement_add,
)
from tipline.conftest import login
from tipline.people.person import PersonFields
from tipline.reports.models import Report

# A ceiling a little above what they make (PostgreSQL: case 25, victim 19, request 10, list 9).
CEILING = 30


def _round(case: Case, user: User, victim: CaseInvolvement, n: int) -> None:
    """One more of everything the case page lists."""
    person = PersonFields(given_names=f"Invented{n}", family_name="Person", phones=("08035550199",))
    suspect = case_person_add(case=case, role="suspect", person=person, actor=user)
    case_person_add(case=case, role="victim", person=person, actor=user)
    day = today_wat()
    victim_movement_add(involvement=victim, data=MovementInput(stage="Transit"), actor=user)
    org = Organisation.objects.create(name=f"Invented Org {n}", kind="NGO")
    referral = ReferralInput("outgoing", "shelter", org, "Other", day, consent=True)
    referral_record(involvement=victim, data=referral, actor=user)
    charge = OutcomeInput(kind="charge", occurred_on=day, offences=["Invented"])
    outcome_record(involvement=suspect, data=charge, actor=user)
    item = evidence_add_physical(
        case=case, kind="device", description="Invented phone", holder="Exhibit room", actor=user
    )
    custody_record(item=item, action="access", actor=user)
    drafted = legal_request_draft(
        case=case, kind="production", identifier_kind="phone", value="08031234567", actor=user
    )
    legal_request_transition(request=drafted, to="sent", actor=user)
    case_task_add(case=case, title=f"Invented task {n}", assignee=user, due_on=day, actor=user)
    case_add_note(case=case, body=f"Invented note {n}", actor=user)


def _pages(case: Case, victim: CaseInvolvement) -> dict[str, str]:
    base = f"/console/cases/{case.reference}/"
    return {
        "case": base,
        "victim": f"{base}people/{victim.pk}/",
        "legal_request": f"{base}requests/1/",
        "case_list": "/console/cases/",
    }


def _measure(client: Client, pages: dict[str, str]) -> dict[str, int]:
    counts = {}
    for name, path in pages.items():
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, name
        counts[name] = len(captured)
    return counts


def test_case_pages_query_counts_do_not_grow_with_the_case(
    make_case: Callable[..., Case], investigator: User, lagos_report: Report
) -> None:
    case = make_case(reports=(lagos_report,))
    victim = case_person_add(
        case=case, role="victim", person=PersonFields(given_names="Invented"), actor=investigator
    )
    victim_context_save(involvement=victim, data=VictimContextInput(), actor=investigator)
    _round(case, investigator, victim, 1)
    client = login(investigator)
    first = _measure(client, _pages(case, victim))
    _round(case, investigator, victim, 2)
    second = _measure(client, _pages(case, victim))
    assert first == second
    assert max(first.values()) <= CEILING, first


@pytest.mark.parametrize("rounds", [1, 3])
def test_the_dashboard_makes_a_fixed_number_of_queries(
    make_case: Callable[..., Case], investigator: User, make_user: Callable[..., User], rounds: int
) -> None:
    for n in range(rounds):
        case = make_case()
        victim = case_person_add(
            case=case,
            role="victim",
            person=PersonFields(given_names="Invented"),
            actor=investigator,
        )
        _round(case, investigator, victim, n)
    client = login(make_user(Role.SUPERVISOR, (), national=True))
    counts = _measure(client, {"dashboard": "/console/cases/dashboard/"})
    assert counts["dashboard"] <= 16, counts
