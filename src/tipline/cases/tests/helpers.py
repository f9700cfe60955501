"""Cases for the project's query-count world (config/tests/test_query_counts.py): one case that
gains a round of everything its pages list each time the world grows."""

from __future__ import annotations

from tipline.accounts.models import User
from tipline.cases.models import Case, CaseInvolvement, Organisation
from tipline.cases.selectors import today_wat
from tipline.cases.services import (
    case_add_note,
    case_add_reports,
    case_open,
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
from tipline.geo.models import RegionalCommand
from tipline.people.person import PersonFields
from tipline.reports.models import Report


def _the_case(lead: User) -> tuple[Case, CaseInvolvement]:
    """The world's case and its first victim, made on the first round."""
    case = Case.objects.order_by("pk").first()
    if case is None:
        command = RegionalCommand.objects.get(code="LAG")
        case = case_open(command=command, lead=lead, title="Invented ring", actor=lead)
        victim = case_person_add(
            case=case, role="victim", person=PersonFields(given_names="Invented"), actor=lead
        )
        victim_context_save(involvement=victim, data=VictimContextInput(), actor=lead)
    first = case.involvements.filter(role="victim").order_by("pk").first()
    assert first is not None
    return case, first


def query_world_case(world_round: int, user: User, report: Report) -> None:
    """One more of everything the case pages list: a report, people, a movement, a referral, a
    charge, a physical item with a custody event, a production order sent, a task, a note."""
    case, victim = _the_case(user)
    case_add_reports(case=case, reports=[report], actor=user)
    person = PersonFields(
        given_names=f"Invented{world_round}", family_name="Person", phones=("08035550199",)
    )
    suspect = case_person_add(case=case, role="suspect", person=person, actor=user)
    case_person_add(case=case, role="victim", person=person, actor=user)
    day = today_wat()
    victim_movement_add(involvement=victim, data=MovementInput(stage="Transit"), actor=user)
    org = Organisation.objects.create(name=f"Invented Org {world_round}", kind="NGO")
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
    case_task_add(case=case, title=f"Task {world_round}", assignee=user, due_on=day, actor=user)
    case_add_note(case=case, body=f"Invented note {world_round}", actor=user)


def query_case_pages() -> dict[str, str]:
    """The case pages the world measures, by name."""
    case = Case.objects.order_by("pk").first()
    assert case is not None
    victim = case.involvements.filter(role="victim").order_by("pk").first()
    assert victim is not None
    base = f"/console/cases/{case.reference}/"
    return {
        "cases_list": "/console/cases/",
        "cases_my_tasks": "/console/cases/tasks/",
        "cases_dashboard": "/console/cases/dashboard/",
        "case_page": base,
        "case_victim": f"{base}people/{victim.pk}/",
        "case_legal_request": f"{base}requests/1/",
    }
