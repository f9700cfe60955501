"""The HTCDS 2.0 export: its columns cover every Core field of the standard (read from its TSV),
its values are the standard's value names, identities only when asked, audited; supervisors'."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.audit.models import AuditEvent
from tipline.cases.export import export_columns
from tipline.cases.models import Case, CaseInvolvement, Organisation
from tipline.cases.selectors import today_wat
from tipline.cases.services import case_person_add, case_transition
from tipline.cases.services.support import ReferralInput, referral_record
from tipline.cases.services.victims import (
    MovementInput,
    VictimContextInput,
    victim_context_save,
    victim_movement_add,
)
from tipline.cases.tests.htcds_reference import core_fields, htcds_fields
from tipline.conftest import login
from tipline.people.person import PersonFields

VICTIM = PersonFields(
    given_names="Ngozi",
    family_name="Invented-Eze",
    date_of_birth=date(2009, 5, 1),
    phones=("08035550133",),
    emails=("ngozi.invented@example.org",),
)


@pytest.fixture
def victim(make_case: Callable[..., Case], investigator: User) -> CaseInvolvement:
    case = make_case()
    inv = case_person_add(case=case, role="victim", person=VICTIM, actor=investigator)
    context = VictimContextInput(
        trafficking_status="ActualVictimOfTrafficking",
        status_decided_by="Police",
        methods_of_control=["DebtBondage", "WithholdsDocuments"],
        exploitation_types=["ForcedLabour", "SexualExploitation"],
        forced_labour_industry="T_ActivitiesOfHouseholdsAsEmployers",
        sex_exploitation_types=["Prostitution"],
    )
    victim_context_save(involvement=inv, data=context, actor=investigator)
    for stage, state, day in (("Recruitment", "ED", 1), ("Exploitation", "LA", 9)):
        place = MovementInput(stage=stage, state_code=state, arrived_on=date(2025, 3, day))
        victim_movement_add(involvement=inv, data=place, actor=investigator)
    shelter = Organisation.objects.create(name="Invented Shelter", kind="NGO")
    referral = ReferralInput(
        direction="outgoing",
        service="shelter",
        organisation=shelter,
        reason="AdditionalServicesRequired",
        referred_on=today_wat(),
        consent=True,
        case_worker="Invented Worker",
    )
    referral_record(involvement=inv, data=referral, actor=investigator)
    case_person_add(case=case, role="suspect", person=VICTIM, actor=investigator)  # no row
    return inv


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_columns_cover_every_core_field_of_the_standard() -> None:
    columns = set(export_columns())
    missing = [name for name in core_fields() if name not in columns]
    assert missing == [] and len(core_fields()) == 40


def test_every_standard_column_is_a_field_of_the_standard() -> None:
    standard = set(htcds_fields())
    ours = [c for c in export_columns() if c not in {"cas_CaseNumber", "prs_PersonId"}]
    assert [c for c in ours if c not in standard] == []


def test_one_row_per_victim_with_the_standards_value_names(
    victim: CaseInvolvement, investigator: User, tmp_path: Path
) -> None:
    out = tmp_path / "htcds.csv"
    call_command("cases", "export-htcds", "--out", str(out), "--as", investigator.username)
    rows = _rows(out.read_text(encoding="utf-8"))
    assert len(rows) == 1
    row = rows[0]
    assert row["cas_CaseNumber"] == victim.case.reference
    assert row["vic_TraffickingStatus"] == "ActualVictimOfTrafficking"
    assert row["vic_MethodsOfControl"] == "DebtBondage;WithholdsDocuments"
    assert row["vic_LocationOfRecruitment"] == "Edo, NG"
    assert row["hte_Type"] == "Recruitment;Exploitation"
    assert row["cas_Status"] == "Active" and row["cas_CaseOwner"] == investigator.username
    assert row["cas_ReferredOrganisation"] == "Invented Shelter" and row["con_Consent"] == "true"
    for name, field in htcds_fields().items():
        if field.values and row.get(name):
            assert set(row[name].split(";")) <= set(field.values), name
    assert row["prs_FirstName"] == "" and row["prs_MobilePhone"] == ""  # no identities asked
    assert row["cas_ReferredPrimaryCaseWorker"] == ""
    event = AuditEvent.objects.get(action="cases.htcds_exported")
    assert event.after == {"rows": 1, "identities": False}


def test_identities_only_when_asked(
    victim: CaseInvolvement, investigator: User, tmp_path: Path
) -> None:
    out = tmp_path / "htcds.csv"
    call_command(
        "cases", "export-htcds", "--out", str(out), "--as", investigator.username, "--identities"
    )
    row = _rows(out.read_text(encoding="utf-8"))[0]
    assert row["prs_FirstName"] == "Ngozi" and row["prs_Birthdate"] == "2009-05-01"
    assert row["prs_MobilePhone"] == "08035550133"


def test_a_closed_case_exports_its_status_and_reason(
    victim: CaseInvolvement, investigator: User, make_user: Callable[..., User]
) -> None:
    case_transition(
        case=victim.case, to="closed", reason="Invented: no offence", actor=investigator
    )
    supervisor = login(make_user(Role.SUPERVISOR, (), national=True))
    response = supervisor.get("/console/cases/export/htcds.csv?identities=1")
    row = _rows(response.content.decode())[0]
    assert (
        row["cas_Status"] == "Closed" and row["cas_ReasonForCaseClosure"] == "Invented: no offence"
    )


def test_the_console_export_is_for_supervisors_and_audited(
    victim: CaseInvolvement, investigator: User, make_user: Callable[..., User]
) -> None:
    assert login(investigator).get("/console/cases/export/htcds.csv").status_code == 404
    assert "Download HTCDS" not in login(investigator).get("/console/cases/").content.decode()
    supervisor = login(make_user(Role.SUPERVISOR, (), national=True))
    assert "Download HTCDS" in supervisor.get("/console/cases/").content.decode()
    response = supervisor.get("/console/cases/export/htcds.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert _rows(response.content.decode())[0]["prs_FirstName"] == ""
    event = AuditEvent.objects.get(action="cases.htcds_exported")
    assert event.object_id == "console" and event.after["rows"] == 1


def test_a_formula_in_a_cell_is_defused(
    victim: CaseInvolvement, investigator: User, tmp_path: Path
) -> None:
    Organisation.objects.filter(name="Invented Shelter").update(name="=HYPERLINK(1)")
    out = tmp_path / "htcds.csv"
    call_command("cases", "export-htcds", "--out", str(out), "--as", investigator.username)
    assert _rows(out.read_text(encoding="utf-8"))[0]["cas_ReferredOrganisation"] == "'=HYPERLINK(1)"
