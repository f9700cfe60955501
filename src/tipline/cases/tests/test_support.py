"""Referrals (with consent), outcomes (dated, on the timeline) and the organisations admin."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.cases.models import (
    Case,
    CaseEvent,
    CaseInvolvement,
    CaseOutcome,
    Organisation,
    Referral,
)
from tipline.cases.selectors import today_wat
from tipline.cases.services import case_person_add
from tipline.cases.services.support import (
    OutcomeInput,
    ReferralInput,
    outcome_record,
    referral_record,
)
from tipline.conftest import login
from tipline.people.person import PersonFields

PERSON = PersonFields(given_names="Invented", family_name="Person", phones=("08035550177",))


@pytest.fixture
def case(make_case: Callable[..., Case]) -> Case:
    return make_case()


@pytest.fixture
def victim(case: Case, investigator: User) -> CaseInvolvement:
    return case_person_add(case=case, role="victim", person=PERSON, actor=investigator)


@pytest.fixture
def suspect(case: Case, investigator: User) -> CaseInvolvement:
    return case_person_add(case=case, role="suspect", person=PERSON, actor=investigator)


@pytest.fixture
def shelter(db: None) -> Organisation:
    return Organisation.objects.create(
        name="Invented Shelter, Ikeja", kind="NGO", services=["shelter"], state="Lagos"
    )


def _referral(org: Organisation, **overrides: object) -> ReferralInput:
    values: dict[str, object] = {
        "direction": "outgoing",
        "service": "shelter",
        "organisation": org,
        "reason": "AdditionalServicesRequired",
        "referred_on": today_wat(),
        "consent": True,
        "case_worker": "Invented Worker",
        "details": "Invented: bed for two weeks",
    }
    values.update(overrides)
    return ReferralInput(**values)  # type: ignore[arg-type]  # the test's own overrides


def test_an_outgoing_referral_with_consent_is_recorded_encrypted_and_on_the_timeline(
    victim: CaseInvolvement, investigator: User, shelter: Organisation
) -> None:
    referral = referral_record(involvement=victim, data=_referral(shelter), actor=investigator)
    assert referral.consent and referral.organisation == shelter
    with connection.cursor() as cursor:
        cursor.execute("SELECT case_worker, details FROM cases_referral")
        assert "Invented" not in " ".join(cursor.fetchone())
    event = CaseEvent.objects.get(kind="referral")
    assert event.data["service"] == "shelter" and event.data["organisation"] == shelter.name
    audit = AuditEvent.objects.get(action="case.referral")
    assert "Invented Worker" not in str(audit.after)


def test_an_outgoing_referral_without_consent_is_refused(
    victim: CaseInvolvement, investigator: User, shelter: Organisation
) -> None:
    with pytest.raises(ValidationError, match="consent"):
        referral_record(
            involvement=victim, data=_referral(shelter, consent=False), actor=investigator
        )
    assert not Referral.objects.exists()


def test_an_incoming_referral_is_recorded_whatever_the_consent(
    victim: CaseInvolvement, investigator: User, shelter: Organisation
) -> None:
    data = _referral(shelter, direction="incoming", consent=False, reason="Other")
    assert referral_record(involvement=victim, data=data, actor=investigator).pk


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"service": "spa"}, "Unknown service"),
        ({"reason": "Because"}, "Unknown reason"),
        ({"referred_on": date.today() + timedelta(days=3)}, "today or earlier"),  # noqa: DTZ011
    ],
)
def test_a_bad_referral_is_refused(
    victim: CaseInvolvement,
    investigator: User,
    shelter: Organisation,
    overrides: dict[str, object],
    message: str,
) -> None:
    with pytest.raises(ValidationError, match=message):
        referral_record(
            involvement=victim, data=_referral(shelter, **overrides), actor=investigator
        )


def test_only_a_victim_is_referred(
    suspect: CaseInvolvement, investigator: User, shelter: Organisation
) -> None:
    with pytest.raises(ValidationError, match="Only a victim"):
        referral_record(involvement=suspect, data=_referral(shelter), actor=investigator)


def test_outcomes_belong_to_the_right_person_and_carry_what_they_need(
    victim: CaseInvolvement, suspect: CaseInvolvement, investigator: User
) -> None:
    day = today_wat() - timedelta(days=2)
    outcome_record(
        involvement=victim, data=OutcomeInput(kind="rescue", occurred_on=day), actor=investigator
    )
    with pytest.raises(ValidationError, match="for a suspect"):
        outcome_record(
            involvement=victim,
            data=OutcomeInput(kind="arrest", occurred_on=day),
            actor=investigator,
        )
    with pytest.raises(ValidationError, match="offences"):
        outcome_record(
            involvement=suspect,
            data=OutcomeInput(kind="charge", occurred_on=day),
            actor=investigator,
        )
    with pytest.raises(ValidationError, match="sentence"):
        outcome_record(
            involvement=suspect,
            data=OutcomeInput(kind="conviction", occurred_on=day, court="Invented High Court"),
            actor=investigator,
        )
    charge = OutcomeInput(kind="charge", occurred_on=day, offences=["TIPPEA 2015 s.13", " "])
    assert outcome_record(involvement=suspect, data=charge, actor=investigator).offences == [
        "TIPPEA 2015 s.13"
    ]
    conviction = OutcomeInput(
        kind="conviction", occurred_on=day, sentence="7 years", court="Invented High Court"
    )
    outcome_record(involvement=suspect, data=conviction, actor=investigator)
    kinds = list(CaseEvent.objects.filter(kind="outcome").values_list("data__outcome", flat=True))
    assert sorted(kinds) == ["charge", "conviction", "rescue"]


def test_referral_and_outcome_from_the_case_page(
    case: Case,
    victim: CaseInvolvement,
    suspect: CaseInvolvement,
    investigator: User,
    shelter: Organisation,
) -> None:
    client = login(investigator)
    page = client.get(f"/console/cases/{case.reference}/").content.decode()
    assert "Record a referral" in page and shelter.name in page
    data = {
        "person": victim.pk,
        "direction": "outgoing",
        "service": "shelter",
        "organisation": shelter.pk,
        "reason": "AdditionalServicesRequired",
        "referred_on": today_wat().isoformat(),
    }
    client.post(f"/console/cases/{case.reference}/referrals/", data)  # no consent ticked
    assert not Referral.objects.exists()
    assert "consent" in client.get(f"/console/cases/{case.reference}/").content.decode()
    client.post(f"/console/cases/{case.reference}/referrals/", {**data, "consent": "on"})
    assert Referral.objects.get().consent
    outcome = {
        "person": suspect.pk,
        "kind": "charge",
        "occurred_on": today_wat().isoformat(),
        "offences": "TIPPEA 2015 s.13\nCybercrimes Act 2015 s.23",
    }
    client.post(f"/console/cases/{case.reference}/outcomes/", outcome)
    assert CaseOutcome.objects.get().offences == ["TIPPEA 2015 s.13", "Cybercrimes Act 2015 s.23"]
    page = client.get(f"/console/cases/{case.reference}/").content.decode()
    assert "Cybercrimes Act 2015 s.23" in page and "Shelter" in page


def test_a_person_of_another_case_is_404_through_this_one(
    case: Case, make_case: Callable[..., Case], investigator: User, shelter: Organisation
) -> None:
    other = case_person_add(case=make_case(), role="victim", person=PERSON, actor=investigator)
    data = {
        "person": other.pk,
        "kind": "rescue",
        "occurred_on": today_wat().isoformat(),
    }
    assert (
        login(investigator).post(f"/console/cases/{case.reference}/outcomes/", data).status_code
        == 404
    )
    assert not CaseOutcome.objects.exists()


@pytest.mark.parametrize("who", ["colleague", "kano_analyst"])
def test_outsiders_get_404_for_referrals_and_outcomes(
    case: Case,
    victim: CaseInvolvement,
    shelter: Organisation,
    who: str,
    request: pytest.FixtureRequest,
) -> None:
    outsider = login(request.getfixturevalue(who))
    data = {"person": victim.pk, "kind": "rescue", "occurred_on": today_wat().isoformat()}
    for tail in ("referrals/", "outcomes/"):
        response = outsider.post(f"/console/cases/{case.reference}/{tail}", data)
        assert response.status_code == 404
    assert not CaseOutcome.objects.exists() and not Referral.objects.exists()


def test_an_administrator_adds_an_organisation_in_the_admin_audited(
    make_user: Callable[..., User],
) -> None:
    admin = login(make_user(Role.ADMINISTRATOR, (), national=True))
    data = {
        "name": "Invented Clinic",
        "kind": "HealthServiceOrganisation",
        "services": '["medical"]',
        "country": "NG",
        "is_active": "on",
    }
    response = admin.post("/admin/cases/organisation/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Organisation.objects.get().services == ["medical"]
    assert AuditEvent.objects.filter(action="organisation.created").exists()
