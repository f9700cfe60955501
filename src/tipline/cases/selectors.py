"""Reads of cases, and the one access check for the case kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from tipline.accounts.choices import NATIONAL_ROLES
from tipline.accounts.models import User
from tipline.accounts.types import Viewer
from tipline.cases.choices import PersonRole
from tipline.cases.models import (
    Case,
    CaseEvent,
    CaseInvolvement,
    CaseOutcome,
    CasePerson,
    CaseTask,
    CustodyEvent,
    EvidenceItem,
    LegalRequest,
    Organisation,
    Referral,
    VictimContext,
    VictimMovement,
)
from tipline.common.time import WAT, utcnow
from tipline.identifiers.models import ReportIdentifier
from tipline.people.choices import OwnerKind
from tipline.people.models import MatchDecision
from tipline.people.scoring import Score
from tipline.people.selectors import people_candidates, people_profile, people_score
from tipline.reports.models import Person as ReportPerson
from tipline.reports.models import Report, ReportFile
from tipline.reports.selectors import reports_visible_to

# The case list's order, ending in the primary key so keyset pages are total.
CASE_LIST_ORDER = ["-updated_at", "-pk"]


def cases_visible_to(user: Viewer) -> QuerySet[Case]:
    """Cases a user may see: national users (supervisors, administrators) all of them; anyone
    else only the cases of their commands on whose team they are (both conditions).

    The scope is `command_ids_for`'s, written as subqueries so the look-up is one statement
    (the report page asks it of every report it shows)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    if user.is_national and user.role in NATIONAL_ROLES:
        return Case.objects.all()
    on_team = Case.members.through.objects.filter(case_id=OuterRef("pk"), user_id=user.pk)
    in_command = User.commands.through.objects.filter(
        regionalcommand_id=OuterRef("command_id"), user_id=user.pk
    )
    return Case.objects.filter(Exists(on_team), Exists(in_command))


def case_get_for_user(*, user: Viewer, reference: str) -> Case:
    """One case by reference, if the user may see it. Missing and forbidden both raise 404."""
    try:
        return cases_visible_to(user).select_related("command", "lead").get(reference=reference)
    except Case.DoesNotExist:
        raise Http404("No such case.") from None


@dataclass(frozen=True)
class CaseFilters:
    """The case list's filters; empty means any."""

    command: str = ""
    status: str = ""
    lead: str = ""
    overdue: bool = False


def case_list_for_user(*, user: Viewer, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """The user's cases, most recently changed first (page it by CASE_LIST_ORDER), filtered by
    command code, status, lead's username, or having a task past its due date."""
    qs = cases_visible_to(user).select_related("command", "lead")
    f = filters or CaseFilters()
    if f.command:
        qs = qs.filter(command__code=f.command)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.lead:
        qs = qs.filter(lead__username=f.lead)
    if f.overdue:
        late = CaseTask.objects.filter(
            case_id=OuterRef("pk"), done_at__isnull=True, due_on__lt=today_wat()
        )
        qs = qs.filter(Exists(late))
    return qs.order_by(*CASE_LIST_ORDER)


def case_reports_for_user(*, case: Case, user: Viewer) -> QuerySet[Report]:
    """The case's reports the user may also see on their own (a report routed elsewhere is
    counted by the page but not shown)."""
    return (
        reports_visible_to(user)
        .filter(case_links__case=case)
        .select_related("routed_command")
        .order_by("received_at", "pk")
    )


def case_timeline(*, case: Case) -> QuerySet[CaseEvent]:
    """Every event of the case, newest first."""
    return case.events.select_related("actor").order_by("-at", "-pk")


def today_wat(now: datetime | None = None) -> date:
    """Today's date in Lagos: a task due today is not overdue until the day ends there."""
    return (now or utcnow()).astimezone(WAT).date()


@dataclass(frozen=True)
class TaskRow:
    """A task and whether it is past its due date."""

    task: CaseTask
    overdue: bool


def _rows(tasks: QuerySet[CaseTask]) -> list[TaskRow]:
    today = today_wat()
    return [TaskRow(t, t.done_at is None and t.due_on < today) for t in tasks]


def case_tasks(*, case: Case) -> list[TaskRow]:
    """The case's tasks: open ones by due date, then the done ones."""
    tasks = case.tasks.select_related("assignee").order_by("done_at", "due_on", "pk")
    return _rows(tasks)


def open_tasks_for_user(*, user: Viewer) -> list[TaskRow]:
    """Open tasks assigned to the user, in cases they may still see, soonest due first."""
    tasks = (
        CaseTask.objects.filter(
            assignee_id=user.pk, done_at__isnull=True, case__in=cases_visible_to(user)
        )
        .select_related("case")
        .order_by("due_on", "pk")
    )
    return _rows(tasks)


def case_task_get(*, case: Case, task_id: int) -> CaseTask:
    """One task of a case the user may see (the caller checked the case); else 404."""
    try:
        return case.tasks.get(pk=task_id)
    except CaseTask.DoesNotExist:
        raise Http404("No such task.") from None


# People on a case ------------------------------------------------------------------------------


def case_people(*, case: Case) -> list[CaseInvolvement]:
    """The case's people, victims first, in the order they were added."""
    order = {role: i for i, role in enumerate(PersonRole.values)}
    rows = case.involvements.select_related("person", "source_report")
    return sorted(rows, key=lambda inv: (order[inv.role], inv.added_at, inv.pk))


def case_involvement_get(*, case: Case, involvement_id: int) -> CaseInvolvement:
    """One person of a case the caller may see (checked); else 404."""
    try:
        return case.involvements.select_related("person__merged_into").get(pk=involvement_id)
    except CaseInvolvement.DoesNotExist:
        raise Http404("No such person.") from None


def case_person_get_for_user(*, user: Viewer, person_id: int) -> CasePerson:
    """A registry person who is in at least one case the user may see; else 404."""
    visible = CaseInvolvement.objects.filter(case__in=cases_visible_to(user))
    found = CasePerson.objects.filter(pk=person_id, involvements__in=visible).first()
    if found is None:
        raise Http404("No such person.")
    return found


@dataclass(frozen=True)
class PersonCandidate:
    """A look-alike of a case person: who, the score with its reasons, and their cases."""

    person: CasePerson
    score: Score
    cases: list[str]
    decided: str  # the reviewers' decision on the pair so far, or ""


def person_candidates_for_user(
    *, user: Viewer, person: CasePerson, limit: int = 10
) -> tuple[list[PersonCandidate], int]:
    """Look-alikes of `person` from the blind index, scored, best first; only people in cases
    the user may see are shown, the others only counted (the second value)."""
    found = people_candidates(owner_kind=OwnerKind.CASE_PERSON, person=person.fields(), limit=50)
    ids = [int(c.owner_id) for c in found if c.owner_id != str(person.pk)]
    visible_cases = cases_visible_to(user)
    rows = CasePerson.objects.filter(pk__in=ids, involvements__case__in=visible_cases).distinct()
    shown = {p.pk: p for p in rows.prefetch_related("involvements__case")}
    profile = people_profile(owner_kind=OwnerKind.CASE_PERSON)
    decided = _decisions_with(person.pk, list(shown))
    candidates = [
        PersonCandidate(
            other,
            people_score(profile=profile, left=person.fields(), right=other.fields()),
            sorted({inv.case.reference for inv in other.involvements.all()}),
            decided.get(other.pk, ""),
        )
        for other in shown.values()
    ]
    candidates.sort(key=lambda c: -c.score.probability)
    return candidates[:limit], len(ids) - len(shown)


def _decisions_with(person_id: int, others: list[int]) -> dict[int, str]:
    pairs = MatchDecision.objects.filter(owner_kind=OwnerKind.CASE_PERSON).filter(
        Q(left_id=str(person_id), right_id__in=[str(o) for o in others])
        | Q(right_id=str(person_id), left_id__in=[str(o) for o in others])
    )
    return {
        int(d.right_id if d.left_id == str(person_id) else d.left_id): d.decision for d in pairs
    }


def report_people_for_case(*, case: Case, user: Viewer) -> QuerySet[ReportPerson]:
    """People named in the case's reports that the user may see (to add in one action)."""
    reports = case_reports_for_user(case=case, user=user)
    return ReportPerson.objects.filter(report__in=reports).select_related("report")


def report_person_for_case(
    *, case: Case, user: Viewer, report_person_id: int
) -> ReportPerson | None:
    """One of those people, or None."""
    return report_people_for_case(case=case, user=user).filter(pk=report_person_id).first()


# Evidence ----------------------------------------------------------------------------------------


def case_evidence(*, case: Case) -> list[EvidenceItem]:
    """The case's evidence items by number, each with its custody events (oldest first)."""
    custody = Prefetch("custody", CustodyEvent.objects.select_related("actor").order_by("at", "pk"))
    return list(
        case.evidence.select_related("report_file").prefetch_related(custody).order_by("number")
    )


def evidence_get(*, case: Case, number: int) -> EvidenceItem:
    """One item of a case the caller may see (checked); else 404."""
    try:
        return case.evidence.get(number=number)
    except EvidenceItem.DoesNotExist:
        raise Http404("No such evidence item.") from None


def report_files_for_case(*, case: Case, user: Viewer) -> QuerySet[ReportFile]:
    """Files of the case's reports the user may see, not yet taken into evidence."""
    taken = case.evidence.exclude(report_file=None).values("report_file_id")
    reports = case_reports_for_user(case=case, user=user)
    return (
        ReportFile.objects.filter(report__in=reports).exclude(pk__in=taken).select_related("report")
    )


# Victim context ----------------------------------------------------------------------------------


def victim_context_of(*, involvement: CaseInvolvement) -> VictimContext | None:
    """The victim's HTCDS context in this case, if recorded."""
    return VictimContext.objects.filter(involvement=involvement).first()


def victim_movements(*, involvement: CaseInvolvement) -> list[VictimMovement]:
    """The places of the victim's movement, in the order they were reached."""
    rows = involvement.movements.select_related("state")
    return sorted(rows, key=lambda m: (m.arrived_on or date.max, m.pk))


def victim_movement_get(*, involvement: CaseInvolvement, movement_id: int) -> VictimMovement:
    """One place of a victim the caller may see (checked); else 404."""
    try:
        return involvement.movements.select_related("involvement__case").get(pk=movement_id)
    except VictimMovement.DoesNotExist:
        raise Http404("No such place.") from None


# Referrals and outcomes --------------------------------------------------------------------------


def case_referrals(*, case: Case) -> QuerySet[Referral]:
    """The case's referrals, latest first."""
    return case.referrals.select_related("organisation", "involvement").order_by(
        "-referred_on", "-pk"
    )


def case_outcomes(*, case: Case) -> QuerySet[CaseOutcome]:
    """The case's outcomes, latest first."""
    return case.outcomes.select_related("involvement").order_by("-occurred_on", "-pk")


def organisations_in_use() -> QuerySet[Organisation]:
    """Organisations a referral may name."""
    return Organisation.objects.filter(is_active=True).order_by("name")


def organisation_get(*, organisation_id: int) -> Organisation:
    """An organisation in use; else 404."""
    found = organisations_in_use().filter(pk=organisation_id).first()
    if found is None:
        raise Http404("No such organisation.")
    return found


# Legal process ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LegalRequestRow:
    """A legal request and whether its answer is late."""

    request: LegalRequest
    overdue: bool


def legal_request_overdue(request: LegalRequest, today: date | None = None) -> bool:
    """Sent, unanswered, and past its due date (in Lagos)."""
    due = request.due_on
    return request.status == "sent" and due is not None and due < (today or today_wat())


def case_legal_requests(*, case: Case) -> list[LegalRequestRow]:
    """The case's requests by number, each marked overdue or not."""
    today = today_wat()
    rows = case.legal_requests.order_by("number")
    return [LegalRequestRow(r, legal_request_overdue(r, today)) for r in rows]


def legal_request_get(*, case: Case, number: int) -> LegalRequest:
    """One request of a case the caller may see (checked); else 404."""
    try:
        return case.legal_requests.select_related("case__command", "drafted_by").get(number=number)
    except LegalRequest.DoesNotExist:
        raise Http404("No such request.") from None


# Identifier kinds of the identifiers app, as the kinds a legal request asks about.
_REQUESTABLE = {
    "phone": "phone",
    "email": "email",
    "handle": "account",
    "wallet": "wallet",
    "bank_account": "nuban",
}


def case_identifiers(*, case: Case, user: Viewer) -> list[tuple[str, str]]:
    """Identifiers found in the case's reports the user may see, as (kind, value) a legal
    request can name (an IP needs its port and time, so it is typed in)."""
    links = ReportIdentifier.objects.filter(
        report__in=case_reports_for_user(case=case, user=user),
        identifier__kind__in=_REQUESTABLE,
    ).select_related("identifier")
    found = {
        (_REQUESTABLE[link.identifier.kind], link.identifier.display.removeprefix("nuban:"))
        for link in links
    }
    return sorted(found)
