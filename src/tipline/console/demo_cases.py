"""The demo's cases: about twenty invented investigations in every state of the table, opened
from the demo's own reports through the real services (so each has its audit trail)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from tipline.accounts.models import User
from tipline.cases import services
from tipline.cases.choices import CaseStatus, CourtOutcome, PersonRole
from tipline.cases.models import Case
from tipline.cases.selectors import today_wat
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
    each along a path of the table, and give them people, evidence and tasks (some overdue)."""
    lead = User.objects.get(username="investigator")
    counts = [0, 0, 0]
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
        _walk(case, PATHS[counts[0] % len(PATHS)], lead)
        counts[0] += 1
    return DemoCases(*counts)
