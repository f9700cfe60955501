"""Reads of cases, and the one access check for the case kind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from tipline.accounts.selectors import command_ids_for
from tipline.cases.models import Case, CaseEvent, CaseTask
from tipline.common.time import WAT, utcnow
from tipline.reports.models import Report
from tipline.reports.selectors import reports_visible_to

# The case list's order, ending in the primary key so keyset pages are total.
CASE_LIST_ORDER = ["-updated_at", "-pk"]


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """Cases a user may see: national users (supervisors, administrators) all of them; anyone
    else only the cases of their commands on whose team they are (both conditions)."""
    scope = command_ids_for(user)
    if scope is None:
        return Case.objects.all()
    on_team = Case.members.through.objects.filter(case_id=OuterRef("pk"), user_id=user.pk)
    return Case.objects.filter(Exists(on_team), command_id__in=scope)


def case_get_for_user(*, user: Any, reference: str) -> Case:
    """One case by reference, if the user may see it. Missing and forbidden both raise 404."""
    try:
        return cases_visible_to(user).select_related("command", "lead").get(reference=reference)
    except Case.DoesNotExist:
        raise Http404("No such case.") from None


def case_list_for_user(*, user: Any) -> QuerySet[Case]:
    """The user's cases, most recently changed first (page it by CASE_LIST_ORDER)."""
    return cases_visible_to(user).select_related("command", "lead").order_by(*CASE_LIST_ORDER)


def case_reports_for_user(*, case: Case, user: Any) -> QuerySet[Report]:
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


def open_tasks_for_user(*, user: Any) -> list[TaskRow]:
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
