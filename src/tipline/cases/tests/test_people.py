"""People on a case: encrypted, indexed for the matcher, look-alikes merged or kept apart,
victims' names hidden until a reveal that is audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.cases.choices import PersonRole
from tipline.cases.models import Case, CaseInvolvement, CasePerson
from tipline.cases.services import case_person_add
from tipline.conftest import login
from tipline.people.models import BlindIndexEntry, MatchDecision
from tipline.people.person import PersonFields
from tipline.reports.models import Report

AMINA = PersonFields(
    given_names="Aminat",
    family_name="Invented-Bello",
    date_of_birth=date(2010, 3, 4),
    phones=("08035550101",),
)
# The same invented girl as a second report spells her: short form, same phone, same birth.
AMINA_AGAIN = PersonFields(
    given_names="Amina", family_name="Invented Bello", phones=("+234 803 555 0101",)
)


@pytest.fixture
def case(make_case: Callable[..., Case], lagos_report: Report) -> Case:
    return make_case(reports=(lagos_report,))


def _add(case: Case, user: User, person: PersonFields, role: str = "victim") -> CaseInvolvement:
    return case_person_add(case=case, role=role, person=person, actor=user)


def _page(case: Case, inv: CaseInvolvement) -> str:
    return f"/console/cases/{case.reference}/people/{inv.pk}/"


def test_a_person_is_stored_encrypted_and_indexed(case: Case, investigator: User) -> None:
    inv = _add(case, investigator, AMINA)
    with connection.cursor() as cursor:
        cursor.execute("SELECT given_names, identifiers FROM cases_caseperson")
        given, identifiers = cursor.fetchone()
    assert "Aminat" not in given and "0101" not in identifiers
    assert BlindIndexEntry.objects.filter(owner_kind="case_person", owner_id=str(inv.person_id))
    assert CasePerson.objects.get().fields().phones == ("08035550101",)


def test_suspect_roles_only_for_suspects(case: Case, investigator: User) -> None:
    with pytest.raises(ValidationError, match="Only a suspect"):
        case_person_add(
            case=case, role="witness", person=AMINA, actor=investigator, suspect_roles=["recruiter"]
        )
    inv = case_person_add(
        case=case, role="suspect", person=AMINA, actor=investigator, suspect_roles=["recruiter"]
    )
    assert inv.suspect_roles == ["recruiter"]


def test_victim_name_hidden_until_revealed_and_each_reveal_audited(
    case: Case, investigator: User
) -> None:
    inv = _add(case, investigator, AMINA)
    client = login(investigator)
    assert "Aminat" not in client.get(_page(case, inv)).content.decode()
    assert "Aminat" not in client.get(f"/console/cases/{case.reference}/").content.decode()
    revealed = client.post(f"{_page(case, inv)}reveal/")
    assert "Aminat Invented-Bello" in revealed.content.decode()
    client.post(f"{_page(case, inv)}reveal/")
    reveals = AuditEvent.objects.filter(action="case.person_revealed", actor=investigator)
    assert reveals.count() == 2
    assert all("Aminat" not in str(event.after) for event in reveals)


def test_suspect_name_is_shown_without_reveal(case: Case, investigator: User) -> None:
    inv = _add(case, investigator, AMINA, role="suspect")
    assert "Aminat" in login(investigator).get(_page(case, inv)).content.decode()


def test_look_alike_shown_with_probability_and_merged_then_unmerged(
    case: Case, make_case: Callable[..., Case], investigator: User
) -> None:
    first = _add(make_case(), investigator, AMINA)
    second = _add(case, investigator, AMINA_AGAIN)
    client = login(investigator)
    page = client.get(_page(case, second)).content.decode()
    assert f"#{first.person_id}" in page and "phone: " in page  # masked reasons: fields only
    client.post(f"{_page(case, second)}decide/", {"decision": "merge", "other": first.person_id})
    assert CasePerson.objects.get(pk=second.person_id).merged_into_id == first.person_id
    decision = MatchDecision.objects.get(owner_kind="case_person")
    assert decision.decision == "confirmed" and decision.probability_then > 0.5
    assert AuditEvent.objects.filter(action="case.person_merged").count() == 1
    client.post(f"{_page(case, second)}decide/", {"decision": "unmerge"})
    assert CasePerson.objects.get(pk=second.person_id).merged_into_id is None
    assert MatchDecision.objects.get(owner_kind="case_person").decision == "rejected"


def test_keep_apart_is_recorded(
    case: Case, make_case: Callable[..., Case], investigator: User
) -> None:
    first = _add(make_case(), investigator, AMINA)
    second = _add(case, investigator, AMINA_AGAIN)
    url = f"{_page(case, second)}decide/"
    login(investigator).post(url, {"decision": "apart", "other": first.person_id})
    assert MatchDecision.objects.get().decision == "rejected"
    assert CasePerson.objects.get(pk=second.person_id).merged_into_id is None


def test_look_alikes_from_cases_outside_scope_are_only_counted(
    case: Case, make_case: Callable[..., Case], investigator: User, colleague: User
) -> None:
    _add(make_case(lead=colleague, actor=colleague), colleague, AMINA)  # not on that team
    second = _add(case, investigator, AMINA_AGAIN)
    page = login(investigator).get(_page(case, second)).content.decode()
    assert "1 more look-alike in cases outside your scope" in page


def test_merging_with_a_person_outside_scope_is_404(
    case: Case, make_case: Callable[..., Case], investigator: User, colleague: User
) -> None:
    hidden = _add(make_case(lead=colleague, actor=colleague), colleague, AMINA)
    mine = _add(case, investigator, AMINA_AGAIN)
    response = login(investigator).post(
        f"{_page(case, mine)}decide/", {"decision": "merge", "other": hidden.person_id}
    )
    assert response.status_code == 404
    assert not MatchDecision.objects.exists()


def test_person_from_a_report_in_one_action(
    case: Case, investigator: User, lagos_report: Report
) -> None:
    report_person = lagos_report.people.get()
    response = login(investigator).post(
        f"/console/cases/{case.reference}/people/from-report/",
        {"report_person": report_person.pk, "role": PersonRole.VICTIM},
    )
    inv = CaseInvolvement.objects.get()
    assert response["Location"] == _page(case, inv)
    assert inv.source_report == lagos_report
    assert inv.person.given_names == "Adaeze" and inv.person.fields().phones == ("08031234567",)


@pytest.mark.parametrize("who", ["colleague", "kano_analyst"])
def test_outsiders_get_404_on_every_people_page(
    case: Case, investigator: User, who: str, request: pytest.FixtureRequest
) -> None:
    inv = _add(case, investigator, AMINA)
    outsider = login(request.getfixturevalue(who))
    assert outsider.get(_page(case, inv)).status_code == 404
    for tail in ("reveal/", "decide/"):
        assert (
            outsider.post(f"{_page(case, inv)}{tail}", {"decision": "unmerge"}).status_code == 404
        )
    for tail in ("add/", "from-report/"):
        data = {"role": "victim", "given_names": "Invented", "report_person": 1}
        url = f"/console/cases/{case.reference}/people/{tail}"
        assert outsider.post(url, data).status_code == 404
    assert CaseInvolvement.objects.count() == 1
    assert not AuditEvent.objects.filter(action="case.person_revealed").exists()


def test_adding_a_person_by_the_form(case: Case, investigator: User) -> None:
    data = {
        "role": "suspect",
        "suspect_roles": ["recruiter", "transporter"],
        "given_names": "Chinedu",
        "family_name": "Invented",
        "phones": "08035550199",
    }
    response = login(investigator).post(f"/console/cases/{case.reference}/people/add/", data)
    inv = CaseInvolvement.objects.get()
    assert response["Location"] == _page(case, inv)
    assert inv.suspect_roles == ["recruiter", "transporter"]
    assert AuditEvent.objects.get(action="case.person_added").after["role"] == "suspect"
