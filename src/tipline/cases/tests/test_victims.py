"""A victim's HTCDS context: the picklists enforced, movement by state/LGA or country, person
details encrypted, every write audited by field name, and outsiders refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.cases.htcds import ExploitationType, MethodOfControl, MovementStage
from tipline.cases.models import Case, CaseEvent, CaseInvolvement, VictimContext, VictimMovement
from tipline.cases.services import case_person_add
from tipline.cases.services.victims import (
    MovementInput,
    VictimContextInput,
    victim_context_save,
    victim_movement_add,
)
from tipline.conftest import login
from tipline.people.person import PersonFields

VICTIM = PersonFields(given_names="Blessing", family_name="Invented-Okoro", phones=("08035550111",))


@pytest.fixture
def case(make_case: Callable[..., Case]) -> Case:
    return make_case()


@pytest.fixture
def victim(case: Case, investigator: User) -> CaseInvolvement:
    return case_person_add(case=case, role="victim", person=VICTIM, actor=investigator)


def _url(case: Case, inv: CaseInvolvement, tail: str = "") -> str:
    return f"/console/cases/{case.reference}/people/{inv.pk}/{tail}"


def test_context_is_saved_in_the_standards_order_and_audited_by_field_name(
    victim: CaseInvolvement, investigator: User
) -> None:
    data = VictimContextInput(
        trafficking_status="ActualVictimOfTrafficking",
        status_decided_by="Police",
        methods_of_control=["WithholdsDocuments", "DebtBondage"],
        exploitation_types=["SexualExploitation"],
        sex_exploitation_types=["Prostitution"],
        vulnerabilities=["Poverty"],
        vulnerability_details="Invented: left school at twelve",
    )
    context = victim_context_save(involvement=victim, data=data, actor=investigator)
    assert context.methods_of_control == ["DebtBondage", "WithholdsDocuments"]
    event = AuditEvent.objects.get(action="case.victim_context")
    assert "methods_of_control" in event.after["fields"]
    assert "Invented" not in str(event.after)
    with connection.cursor() as cursor:
        cursor.execute("SELECT vulnerability_details FROM cases_victimcontext")
        assert "Invented" not in cursor.fetchone()[0]
    again = victim_context_save(involvement=victim, data=data, actor=investigator)
    assert again.pk == context.pk
    last = AuditEvent.objects.filter(action="case.victim_context").order_by("pk").last()
    assert last is not None and last.after["fields"] == []


def test_all_methods_of_control_can_be_recorded(
    victim: CaseInvolvement, investigator: User
) -> None:
    data = VictimContextInput(methods_of_control=list(MethodOfControl.values))
    context = victim_context_save(involvement=victim, data=data, actor=investigator)
    assert context.methods_of_control == list(MethodOfControl.values)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (VictimContextInput(trafficking_status="Victim"), "trafficking_status"),
        (VictimContextInput(methods_of_control=["Nagging"]), "methods_of_control"),
        (VictimContextInput(forced_labour_industry="F_Construction"), "forced_labour_industry"),
        (VictimContextInput(sex_exploitation_types=["Pornography"]), "sex_exploitation_types"),
        (VictimContextInput(status_decided_by="Police"), "status_decided_by"),
    ],
)
def test_values_outside_the_picklists_or_inconsistent_are_refused(
    victim: CaseInvolvement, investigator: User, data: VictimContextInput, field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        victim_context_save(involvement=victim, data=data, actor=investigator)
    assert field in raised.value.message_dict
    assert not VictimContext.objects.exists()


def test_only_a_victim_has_a_victim_context(case: Case, investigator: User) -> None:
    suspect = case_person_add(case=case, role="suspect", person=VICTIM, actor=investigator)
    with pytest.raises(ValidationError, match="victim only"):
        victim_context_save(involvement=suspect, data=VictimContextInput(), actor=investigator)


def test_forced_labour_with_its_industry(victim: CaseInvolvement, investigator: User) -> None:
    data = VictimContextInput(
        exploitation_types=[ExploitationType.FORCED_LABOUR],
        forced_labour_industry="T_ActivitiesOfHouseholdsAsEmployers",
    )
    context = victim_context_save(involvement=victim, data=data, actor=investigator)
    assert context.get_forced_labour_industry_display() == "Activities of households as employers"


def test_movement_by_state_and_lga_or_by_country(
    victim: CaseInvolvement, investigator: User
) -> None:
    recruited = MovementInput(
        stage=MovementStage.RECRUITMENT, state_code="ed", lga="Oredo", arrived_on=date(2025, 1, 3)
    )
    abroad = MovementInput(stage=MovementStage.EXPLOITATION, country="ly", place="Invented house")
    victim_movement_add(involvement=victim, data=recruited, actor=investigator)
    victim_movement_add(involvement=victim, data=abroad, actor=investigator)
    places = {m.stage: m for m in VictimMovement.objects.all()}
    recruitment = places["Recruitment"]
    assert recruitment.state is not None and recruitment.state.code == "ED"
    assert recruitment.lga == "Oredo"
    assert places["Exploitation"].country == "LY" and places["Exploitation"].state is None
    assert CaseEvent.objects.filter(kind="movement").count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (MovementInput(stage="Recruitment", state_code="LA", lga="Oredo"), "lga"),
        (MovementInput(stage="Recruitment", state_code="ZZ"), "state_code"),
        (MovementInput(stage="Recruitment", country="GH", state_code="LA"), "state_code"),
        (MovementInput(stage="Holiday"), "stage"),
        (MovementInput(stage="Transit", country="Ghana"), "country"),
        (
            MovementInput(stage="Transit", arrived_on=date(2025, 2, 1), left_on=date(2025, 1, 1)),
            "left_on",
        ),
    ],
)
def test_a_place_that_does_not_exist_is_refused(
    victim: CaseInvolvement, investigator: User, data: MovementInput, field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        victim_movement_add(involvement=victim, data=data, actor=investigator)
    assert field in raised.value.message_dict


def test_the_victim_page_records_context_and_places(
    case: Case, victim: CaseInvolvement, investigator: User
) -> None:
    client = login(investigator)
    page = client.get(_url(case, victim)).content.decode()
    assert "Victim context (HTCDS)" in page and "Blessing" not in page
    data = {
        "trafficking_status": "PossibleVictimOfTrafficking",
        "methods_of_control": ["FalsePromises", "WithholdsDocuments"],
        "exploitation_types": ["Servitude"],
    }
    assert client.post(_url(case, victim, "victim/"), data)["Location"] == _url(case, victim)
    context = VictimContext.objects.get()
    assert context.methods_of_control == ["FalsePromises", "WithholdsDocuments"]
    place = {"stage": "Transit", "country": "NG", "state_code": "KN", "lga": "Fagge"}
    client.post(_url(case, victim, "movements/"), place)
    movement = VictimMovement.objects.get()
    page = client.get(_url(case, victim)).content.decode()
    assert "Kano, Fagge" in page and "Possible victim of trafficking" in page
    client.post(_url(case, victim, f"movements/{movement.pk}/remove/"))
    assert not VictimMovement.objects.exists()


def test_a_bad_value_from_the_page_is_said_and_nothing_saved(
    case: Case, victim: CaseInvolvement, investigator: User
) -> None:
    client = login(investigator)
    client.post(_url(case, victim, "victim/"), {"methods_of_control": ["Nagging"]})
    page = client.get(_url(case, victim)).content.decode()
    assert "methods_of_control" in page and not VictimContext.objects.exists()


def test_person_details_are_encrypted_and_only_shown_after_reveal(
    case: Case, victim: CaseInvolvement, investigator: User
) -> None:
    client = login(investigator)
    assert "Person details (HTCDS)" not in client.get(_url(case, victim)).content.decode()
    assert "Person details (HTCDS)" in client.post(_url(case, victim, "reveal/")).content.decode()
    data = {
        "gender": "Feminine",
        "citizenship": "ng, gh",
        "city": "Invented-Town",
        "salutation": "Ms",
    }
    client.post(_url(case, victim, "details/"), data)
    victim.person.refresh_from_db()
    assert victim.person.citizenship == ["GH", "NG"] and victim.person.gender == "Feminine"
    assert victim.person.mailing_address == {"city": "Invented-Town"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT mailing_address, gender FROM cases_caseperson")
        stored = " ".join(cursor.fetchone())
    assert "Invented-Town" not in stored and "Feminine" not in stored
    assert AuditEvent.objects.get(action="case.person_details").after["fields"]


@pytest.mark.parametrize("who", ["colleague", "kano_analyst"])
def test_outsiders_get_404_on_every_victim_action(
    case: Case,
    victim: CaseInvolvement,
    investigator: User,
    who: str,
    request: pytest.FixtureRequest,
) -> None:
    movement = victim_movement_add(
        involvement=victim, data=MovementInput(stage="Transit", country="NE"), actor=investigator
    )
    outsider = login(request.getfixturevalue(who))
    data = {"trafficking_status": "ActualVictimOfTrafficking", "stage": "Transit", "country": "NG"}
    for tail in ("victim/", "movements/", f"movements/{movement.pk}/remove/", "details/"):
        assert outsider.post(_url(case, victim, tail), data).status_code == 404, tail
    assert not VictimContext.objects.exists() and VictimMovement.objects.count() == 1
