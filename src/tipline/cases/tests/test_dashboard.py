"""The supervisors' case dashboard: its figures, CSV (audited), and 404 for anyone else."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta

import pytest

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.cases.models import Case, CaseInvolvement, Organisation
from tipline.cases.selectors import today_wat
from tipline.cases.services import case_person_add, case_transition
from tipline.cases.services.support import (
    OutcomeInput,
    ReferralInput,
    outcome_record,
    referral_record,
)
from tipline.cases.stats import StatTable, case_dashboard_tables
from tipline.conftest import login
from tipline.people.person import PersonFields
from tipline.reports.models import Report

PERSON = PersonFields(given_names="Invented", family_name="Person", phones=("08035550188",))


@pytest.fixture
def supervisor(make_user: Callable[..., User]) -> User:
    return make_user(Role.SUPERVISOR, (), national=True)


@pytest.fixture
def world(make_case: Callable[..., Case], investigator: User, lagos_report: Report) -> Case:
    """Two Lagos cases: one under investigation with a rescued victim, a referral to a shelter
    and a charged suspect; one closed."""
    case = make_case(reports=(lagos_report,))
    case_transition(case=case, to="under_investigation", actor=investigator)
    victim = case_person_add(case=case, role="victim", person=PERSON, actor=investigator)
    suspect = case_person_add(case=case, role="suspect", person=PERSON, actor=investigator)
    day = today_wat()
    outcome_record(
        involvement=victim, data=OutcomeInput(kind="rescue", occurred_on=day), actor=investigator
    )
    charge = OutcomeInput(kind="charge", occurred_on=day, offences=["TIPPEA 2015 s.13"])
    outcome_record(involvement=suspect, data=charge, actor=investigator)
    shelter = Organisation.objects.create(name="Invented Shelter", kind="NGO")
    referral = ReferralInput(
        direction="outgoing",
        service="shelter",
        organisation=shelter,
        reason="AdditionalServicesRequired",
        referred_on=day,
        consent=True,
    )
    referral_record(involvement=victim, data=referral, actor=investigator)
    closed = make_case()
    case_transition(case=closed, to="closed", reason="Invented", actor=investigator)
    return case


def test_the_figures_count_the_cases(world: Case, supervisor: User) -> None:
    tables = case_dashboard_tables(user=supervisor)
    open_cases = tables["open_cases"]
    row = open_cases.rows[0]
    assert row[0] == world.command.name and row[-1] == 1  # the closed case is not open
    assert row[open_cases.columns.index("Under investigation")] == 1
    assert tables["victims"].rows == [(world.command.name, 1, 1)]
    shelter = next(r for r in tables["referrals"].rows if r[0] == "Shelter")
    assert shelter == ("Shelter", 1, 0, 1)
    outcomes = dict((r[0], r[1]) for r in tables["outcomes"].rows)
    assert outcomes["Charge"] == 1 and outcomes["Conviction"] == 0
    timings = {r[0]: r for r in tables["timings"].rows}
    report_to_case = timings["Report received to case opened"]
    assert report_to_case[3] == 1 and report_to_case[1] is not None
    assert timings["Case opened to first charge"][1:] == (0, 0, 1)


def test_the_page_and_its_csv_for_supervisors_audited(world: Case, supervisor: User) -> None:
    client = login(supervisor)
    page = client.get("/console/cases/dashboard/")
    assert page.status_code == 200 and "Victims identified and rescued" in page.content.decode()
    response = client.get("/console/cases/dashboard/?format=csv&table=referrals")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert (
        rows[0] == ["Service", "Outgoing", "Incoming", "Total"]
        and ["Shelter", "1", "0", "1"] in rows
    )
    assert AuditEvent.objects.get(action="cases.dashboard_exported").object_id == "referrals"
    assert client.get("/console/cases/dashboard/?format=csv&table=nope").status_code == 404


@pytest.mark.parametrize("who", ["investigator", "kano_analyst"])
def test_anyone_but_a_supervisor_gets_404(
    world: Case, who: str, request: pytest.FixtureRequest
) -> None:
    client = login(request.getfixturevalue(who))
    assert client.get("/console/cases/dashboard/").status_code == 404
    assert client.get("/console/cases/dashboard/?format=csv&table=victims").status_code == 404


def test_an_empty_dashboard_has_no_figures_and_no_error(supervisor: User) -> None:
    tables = case_dashboard_tables(user=supervisor)
    assert tables["open_cases"].rows == [] and tables["timings"].rows[0][1:] == (None, None, 0)
    assert login(supervisor).get("/console/cases/dashboard/").status_code == 200


def test_a_late_charge_counts_its_days(
    make_case: Callable[..., Case], investigator: User, supervisor: User
) -> None:
    case = make_case()
    Case.objects.filter(pk=case.pk).update(opened_at=case.opened_at - timedelta(days=10))
    suspect = case_person_add(case=case, role="suspect", person=PERSON, actor=investigator)
    charge = OutcomeInput(kind="charge", occurred_on=today_wat(), offences=["Invented"])
    outcome_record(involvement=suspect, data=charge, actor=investigator)
    timings = {r[0]: r for r in case_dashboard_tables(user=supervisor)["timings"].rows}
    assert timings["Case opened to first charge"][1] == 10


def _old_world(make_case: Callable[..., Case], investigator: User) -> Case:
    """A case opened 200 days ago whose victim was rescued and referred, and whose suspect was
    charged, 100 days ago."""
    case = make_case()
    long_ago = case.opened_at - timedelta(days=200)
    Case.objects.filter(pk=case.pk).update(opened_at=long_ago)
    victim = case_person_add(case=case, role="victim", person=PERSON, actor=investigator)
    CaseInvolvement.objects.filter(pk=victim.pk).update(added_at=long_ago)
    suspect = case_person_add(case=case, role="suspect", person=PERSON, actor=investigator)
    day = today_wat() - timedelta(days=100)
    outcome_record(
        involvement=victim, data=OutcomeInput(kind="rescue", occurred_on=day), actor=investigator
    )
    charge = OutcomeInput(kind="charge", occurred_on=day, offences=["Invented"])
    outcome_record(involvement=suspect, data=charge, actor=investigator)
    clinic = Organisation.objects.create(name="Invented Clinic", kind="NGO")
    referral = ReferralInput("outgoing", "medical", clinic, "Other", day, consent=True)
    referral_record(involvement=victim, data=referral, actor=investigator)
    return case


def _figures(tables: dict[str, StatTable]) -> tuple[object, ...]:
    outcomes = dict((r[0], r[1]) for r in tables["outcomes"].rows)
    medical = next(r for r in tables["referrals"].rows if r[0] == "Medical care")
    timings = {r[0]: r[3] for r in tables["timings"].rows}
    open_now = sum(int(r[-1] or 0) for r in tables["open_cases"].rows)
    victims = tables["victims"].rows
    return outcomes["Charge"], outcomes["Rescue"], medical[3], timings, open_now, victims


def test_the_period_counts_what_happened_in_it(
    world: Case, make_case: Callable[..., Case], investigator: User, supervisor: User
) -> None:
    _old_world(make_case, investigator)
    lagos = world.command.name
    to_case, to_charge = "Report received to case opened", "Case opened to first charge"
    every = case_dashboard_tables(user=supervisor)
    assert _figures(every) == (2, 2, 1, {to_case: 1, to_charge: 2}, 2, [(lagos, 2, 2)])
    since = today_wat() - timedelta(days=89)
    last_90 = case_dashboard_tables(user=supervisor, since=since)
    # the old case's rescue, charge and referral fall outside; it is still open now
    assert _figures(last_90) == (1, 1, 0, {to_case: 1, to_charge: 1}, 2, [(lagos, 1, 1)])
    since = today_wat() - timedelta(days=364)
    last_year = case_dashboard_tables(user=supervisor, since=since)
    assert _figures(last_year)[:4] == (2, 2, 1, {to_case: 1, to_charge: 2})


@pytest.mark.parametrize(
    ("period", "charges"), [("30", 1), ("90", 1), ("365", 2), ("all", 2), ("", 2)]
)
def test_the_page_and_its_csv_follow_the_period(
    world: Case,
    make_case: Callable[..., Case],
    investigator: User,
    supervisor: User,
    period: str,
    charges: int,
) -> None:
    _old_world(make_case, investigator)
    client = login(supervisor)
    page = client.get("/console/cases/dashboard/", {"period": period})
    assert page.status_code == 200
    wanted = period or "all"
    assert f'<option value="{wanted}" selected>' in page.content.decode()
    assert f"?period={wanted}&amp;format=csv&amp;table=outcomes" in page.content.decode()
    query = {"period": period, "format": "csv", "table": "outcomes"}
    response = client.get("/console/cases/dashboard/", query)
    rows = dict(csv.reader(io.StringIO(response.content.decode())))
    assert rows["Charge"] == str(charges)
    exported = AuditEvent.objects.filter(action="cases.dashboard_exported").get()
    label = {"30": "30", "90": "90", "365": "365"}.get(wanted, "all-time")
    assert label in exported.after["period"]
    assert label in response["Content-Disposition"]


def test_an_unknown_period_is_a_form_error_not_all_time(world: Case, supervisor: User) -> None:
    client = login(supervisor)
    page = client.get("/console/cases/dashboard/", {"period": "7"})
    assert page.status_code == 400 and "Select a valid choice" in page.content.decode()
    assert "Victims identified and rescued" not in page.content.decode()
    csv_answer = client.get("/console/cases/dashboard/", {"period": "x", "format": "csv"})
    assert csv_answer.status_code == 400
    assert not AuditEvent.objects.filter(action="cases.dashboard_exported").exists()


@pytest.mark.parametrize("who", ["investigator", "kano_analyst"])
def test_anyone_but_a_supervisor_gets_404_whatever_the_period(
    world: Case, who: str, request: pytest.FixtureRequest
) -> None:
    client = login(request.getfixturevalue(who))
    for period in ("30", "all", "nonsense"):
        assert client.get("/console/cases/dashboard/", {"period": period}).status_code == 404
