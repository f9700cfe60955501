"""The demo's cases: about twenty invented investigations in every state of the table, opened
from the demo's own reports through the real services (so each has its audit trail)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from tipline.accounts.models import User
from tipline.cases import services
from tipline.cases.choices import CaseStatus, CourtOutcome, PersonRole
from tipline.cases.htcds import MethodOfControl
from tipline.cases.models import Case, CaseInvolvement, Organisation
from tipline.cases.selectors import today_wat
from tipline.cases.services.legal import legal_request_draft, legal_request_transition
from tipline.cases.services.support import (
    OutcomeInput,
    ReferralInput,
    organisation_save,
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
from tipline.reports.choices import ReportStatus
from tipline.reports.models import Report, ReportFile

DEMO_CASES = 20
_S = CaseStatus
# Each demo case walks one of these paths through ALLOWED_TRANSITIONS from `open`.
PATHS: list[list[str]] = [
    [],
    [_S.UNDER_INVESTIGATION],
    [_S.UNDER_INVESTIGATION],
    [_S.UNDER_INVESTIGATION, _S.REFERRED_FOR_PROSECUTION],
    [_S.UNDER_INVESTIGATION, _S.REFERRED_FOR_PROSECUTION, _S.IN_COURT],
    [_S.UNDER_INVESTIGATION, _S.REFERRED_FOR_PROSECUTION, _S.IN_COURT, _S.CLOSED],
    [_S.UNDER_INVESTIGATION, _S.SUSPENDED],
    [_S.CLOSED],
    [_S.CLOSED, _S.REOPENED],
]
TITLES = [
    "Invented recruitment ring, {state}",
    "Invented sextortion network, {state}",
    "Invented domestic servitude, {state}",
    "Invented online enticement, {state}",
    "Invented deceptive job offers, {state}",
]
TASKS = ["Interview the victim", "Serve the production order", "Request the call records"]
SUSPECT_ROLES = ["recruiter", "transporter", "exploiter", "harbourer", "financier", "facilitator"]


@dataclass(frozen=True)
class DemoCases:
    """What `demo_cases` created."""

    cases: int
    people: int
    evidence: int
    referrals: int = 0
    outcomes: int = 0
    legal_requests: int = 0


def _candidates(commands: list[RegionalCommand]) -> list[Report]:
    # Reports the triage history already took (assigned): a case opened from one waiting in the
    # queue would triage it a second time, outside the history's figures.
    qs = Report.objects.filter(
        routed_command__in=commands, status=ReportStatus.ASSIGNED, cases__isnull=True
    )
    return list(qs.select_related("state", "routed_command").order_by("pk")[:DEMO_CASES])


def _walk(case: Case, path: list[str], lead: User) -> Case:
    for to in path:
        from_court = case.status == _S.IN_COURT
        reason = "Invented: the trial ended." if from_court else "Invented: no offence shown."
        case = services.case_transition(
            case=case,
            to=to,
            actor=lead,
            reason=reason if to == _S.CLOSED else "",
            outcome=CourtOutcome.CONVICTED if from_court else "",
        )
    return case


def _people(case: Case, report: Report, lead: User, rng: random.Random) -> int:
    """The report's victims and reported persons, as the case's victims and suspects."""
    roles = {"victim": PersonRole.VICTIM, "reported_person": PersonRole.SUSPECT}
    added = 0
    for person in report.people.filter(role__in=roles):
        role = roles[person.role]
        services.case_person_add(
            case=case,
            role=role,
            person=services.report_person_fields(person),
            actor=lead,
            suspect_roles=rng.sample(SUSPECT_ROLES, 2) if role == PersonRole.SUSPECT else (),
            source_report=report,
        )
        added += 1
    return added


def _evidence(case: Case, report: Report, lead: User) -> int:
    files = ReportFile.objects.filter(report=report).exclude(storage_key="")[:2]
    for file in files:
        services.evidence_add_report_file(case=case, report_file=file, actor=lead)
    services.evidence_add_physical(
        case=case,
        kind="device",
        description="Invented seized phone",
        holder="Exhibit room",
        actor=lead,
    )
    return len(files) + 1


def demo_cases(*, rng: random.Random) -> DemoCases:
    """Open about twenty cases from the demo's reports of the investigator's commands, walk
    each along a path of the table, and give them people, evidence and tasks (some overdue),
    victims' HTCDS context and movement, referrals, outcomes and legal requests."""
    lead = User.objects.get(username="investigator")
    organisations = _organisations()
    counts = [0, 0, 0, 0, 0, 0]
    for report in _candidates(list(lead.commands.order_by("code"))):
        state = report.state.name if report.state else "unknown state"
        case = services.case_open(
            command=report.routed_command,  # type: ignore[arg-type]  # candidates are routed reports
            lead=lead,
            actor=lead,
            reports=[report],
            title=rng.choice(TITLES).format(state=state),
        )
        counts[1] += _people(case, report, lead, rng)
        counts[2] += _evidence(case, report, lead)
        due = today_wat() + timedelta(days=rng.randint(-5, 10))
        services.case_task_add(
            case=case, title=rng.choice(TASKS), assignee=lead, due_on=due, actor=lead
        )
        path = PATHS[counts[0] % len(PATHS)]
        work = _casework(case, path, lead, rng, organisations)
        counts[3], counts[4], counts[5] = (a + b for a, b in zip(counts[3:], work, strict=True))
        _walk(case, path, lead)
        counts[0] += 1
    return DemoCases(*counts)


# Casework: victims' context, referrals, outcomes and legal requests -----------------------------

ORGANISATIONS = [
    ("Invented Hope Shelter, Ikeja", "NGO", ["shelter", "psychosocial"], "Lagos"),
    ("Invented General Hospital Clinic, Benin", "HealthServiceOrganisation", ["medical"], "Edo"),
    ("Invented Legal Aid Centre, Kano", "LegalService", ["legal_aid"], "Kano"),
    ("Invented Reintegration Programme", "NGO", ["reintegration", "repatriation"], "Edo"),
    ("Invented State Social Welfare Office", "LocalGovernmentOrganisation", ["agency"], "Lagos"),
]
CONTROL = [c for c in MethodOfControl.values if c != "Other"]
RECRUITED_IN = [
    ("ED", "Oredo"),
    ("ED", "Egor"),
    ("KN", "Fagge"),
    ("AK", "Uyo"),
    ("OY", "Ibadan North"),
]
ABROAD = ["LY", "ML", "IT", "GH"]
OFFENCES = ["TIPPEA 2015 s.13 (recruitment for exploitation)", "Cybercrimes Act 2015 s.23"]
DEMO_PHONES = ["08031234567", "08051234567", "08021234567", "09091234567"]


def _organisations() -> list[Organisation]:
    """The invented shelters, clinics and agencies referrals name (kept by administrators)."""
    admin = User.objects.filter(username="admin").first() or User.objects.get(
        username="investigator"
    )
    made = []
    for name, kind, offered, state in ORGANISATIONS:
        found = Organisation.objects.filter(name=name).first()
        made.append(
            found
            or organisation_save(
                organisation=Organisation(name=name, kind=kind, services=offered, state=state),
                actor=admin,
            )
        )
    return made


def _context(rng: random.Random) -> VictimContextInput:
    exploitation = rng.choice(
        [["SexualExploitation"], ["ForcedLabour"], ["Servitude", "ForcedLabour"]]
    )
    return VictimContextInput(
        trafficking_status=rng.choice(["ActualVictimOfTrafficking", "PossibleVictimOfTrafficking"]),
        status_decided_by="Police",
        relationship_to_trafficker=rng.choice(["Acquainted", "Familial", "Unaquainted"]),
        age_when_trafficked=rng.randint(12, 19),
        recruitment_methods=[
            rng.choice(
                [
                    "ThroughOnlineSocialNetworks",
                    "ThroughFriendsOrSocialEvents",
                    "ThroughFamilyOrFamilyEvents",
                ]
            )
        ],
        recruitment_platforms=rng.sample(["Facebook", "WhatsApp", "Instagram", "TikTok"], 1),
        methods_of_control=rng.sample(CONTROL, 3),
        exploitation_types=exploitation,
        forced_labour_industry="T_ActivitiesOfHouseholdsAsEmployers"
        if "ForcedLabour" in exploitation
        else "",
        sex_exploitation_types=["Prostitution"] if "SexualExploitation" in exploitation else [],
        vulnerabilities=rng.sample(["Poverty", "Education", "Homelessness", "Migration"], 2),
    )


def _movement(victim: CaseInvolvement, lead: User, rng: random.Random) -> None:
    start = today_wat() - timedelta(days=rng.randint(120, 400))
    state, lga = rng.choice(RECRUITED_IN)
    places = [
        MovementInput(stage="Recruitment", state_code=state, lga=lga, arrived_on=start),
        MovementInput(stage="Transit", state_code="LA", arrived_on=start + timedelta(days=3)),
    ]
    abroad = rng.random() < 0.4
    places.append(
        MovementInput(
            stage="Exploitation", country=rng.choice(ABROAD), arrived_on=start + timedelta(days=20)
        )
        if abroad
        else MovementInput(
            stage="Exploitation", state_code="LA", lga="Ikeja", arrived_on=start + timedelta(days=5)
        )
    )
    for place in places:
        victim_movement_add(involvement=victim, data=place, actor=lead)


def _referral(
    victim: CaseInvolvement, lead: User, rng: random.Random, orgs: list[Organisation]
) -> None:
    organisation = rng.choice(orgs)
    data = ReferralInput(
        direction="outgoing",
        service=organisation.services[0],
        organisation=organisation,
        reason="AdditionalServicesRequired",
        referred_on=today_wat() - timedelta(days=rng.randint(1, 30)),
        consent=True,
        case_worker="Invented case worker",
        consent_note="Invented: the victim agreed, her guardian present",
    )
    referral_record(involvement=victim, data=data, actor=lead)


def _outcomes(case: Case, path: list[str], lead: User, rng: random.Random) -> int:
    """A rescue for each victim; an arrest and a charge once the file went to the prosecutor;
    a conviction when the demo's trial ends."""
    people = list(case.involvements.all())
    victims = [p for p in people if p.role == PersonRole.VICTIM]
    suspects = [p for p in people if p.role == PersonRole.SUSPECT]
    day = today_wat() - timedelta(days=rng.randint(20, 60))
    made = 0
    for victim in victims:
        outcome_record(
            involvement=victim, data=OutcomeInput(kind="rescue", occurred_on=day), actor=lead
        )
        made += 1
    if not suspects or _S.REFERRED_FOR_PROSECUTION not in path:
        return made
    suspect = suspects[0]
    arrest = OutcomeInput(kind="arrest", occurred_on=day + timedelta(days=2))
    charge = OutcomeInput(kind="charge", occurred_on=day + timedelta(days=9), offences=OFFENCES)
    for data in (arrest, charge):
        outcome_record(involvement=suspect, data=data, actor=lead)
        made += 1
    if _S.CLOSED in path and _S.IN_COURT in path:
        verdict = OutcomeInput(
            kind="conviction",
            occurred_on=day + timedelta(days=18),
            sentence="Invented: 7 years' imprisonment",
            court="Invented Federal High Court, Lagos",
        )
        outcome_record(involvement=suspect, data=verdict, actor=lead)
        made += 1
    return made


def _legal(case: Case, lead: User, rng: random.Random) -> int:
    """A production order to the telecom of an invented suspect phone; most sent, some late."""
    req = legal_request_draft(
        case=case,
        kind="production",
        identifier_kind="phone",
        value=rng.choice(DEMO_PHONES),
        actor=lead,
    )
    roll = rng.random()
    if roll < 0.25:
        return 1  # still a draft
    sent_on = today_wat() - timedelta(days=rng.randint(3, 30))
    legal_request_transition(request=req, to="sent", on=sent_on, actor=lead)
    if roll > 0.8:
        legal_request_transition(
            request=req, to="refused", actor=lead, note="Invented: asked for a court order"
        )
    return 1


def _casework(
    case: Case, path: list[str], lead: User, rng: random.Random, orgs: list[Organisation]
) -> tuple[int, int, int]:
    """Victims' context, movement and referrals; outcomes; a legal request. (referrals,
    outcomes, requests) made."""
    referrals = 0
    for victim in case.involvements.filter(role=PersonRole.VICTIM):
        victim_context_save(involvement=victim, data=_context(rng), actor=lead)
        _movement(victim, lead, rng)
        _referral(victim, lead, rng, orgs)
        referrals += 1
    return referrals, _outcomes(case, path, lead, rng), _legal(case, lead, rng)
