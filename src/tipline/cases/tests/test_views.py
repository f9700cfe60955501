"""The case pages: the team sees them, everyone else gets 404 (missing and forbidden alike)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.cases.choices import CaseStatus
from tipline.cases.models import Case, CaseTask
from tipline.cases.services import case_task_add
from tipline.common.time import utcnow
from tipline.conftest import login
from tipline.reports.choices import ReportStatus
from tipline.reports.models import Report

ACTIONS = ["status", "notes", "reports/add", "reports/remove", "team/add", "team/remove", "tasks"]


@pytest.fixture
def case(make_case: Callable[..., Case], lagos_report: Report) -> Case:
    return make_case(reports=(lagos_report,))


def _task(case: Case, user: User, days: int) -> CaseTask:
    due = (utcnow() + timedelta(days=days)).date()
    return case_task_add(
        case=case, title=f"Invented task {days}", assignee=user, due_on=due, actor=user
    )


def test_team_member_sees_the_case_with_its_report_and_timeline(
    case: Case, investigator: User, lagos_report: Report
) -> None:
    page = login(investigator).get(f"/console/cases/{case.reference}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert lagos_report.reference in body and "Case opened" in body


@pytest.mark.parametrize("who", ["colleague", "kano_analyst"])
def test_outsiders_get_404_for_the_case_and_every_action(
    case: Case, who: str, request: pytest.FixtureRequest
) -> None:
    outsider = login(request.getfixturevalue(who))  # same command off the team, other command
    assert outsider.get(f"/console/cases/{case.reference}/").status_code == 404
    for action in ACTIONS:
        response = outsider.post(f"/console/cases/{case.reference}/{action}/", {"to": "closed"})
        assert response.status_code == 404, action
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN


def test_missing_case_is_the_same_404(investigator: User) -> None:
    assert login(investigator).get("/console/cases/NAP-2026-99999/").status_code == 404


def test_national_supervisor_sees_every_case(case: Case, make_user: Callable[..., User]) -> None:
    supervisor = login(make_user(Role.SUPERVISOR, (), national=True))
    assert supervisor.get(f"/console/cases/{case.reference}/").status_code == 200
    assert case.reference in supervisor.get("/console/cases/").content.decode()


def test_case_list_shows_only_the_users_cases(
    case: Case, investigator: User, colleague: User
) -> None:
    assert case.reference in login(investigator).get("/console/cases/").content.decode()
    assert case.reference not in login(colleague).get("/console/cases/").content.decode()


def test_opening_a_case_from_a_report_by_the_form(investigator: User, lagos_report: Report) -> None:
    client = login(investigator)
    form = client.get(f"/console/cases/open/?report={lagos_report.reference}")
    assert lagos_report.reference in form.content.decode()
    data = {"title": "Invented ring", "command": "LAG", "reports": lagos_report.reference}
    response = client.post("/console/cases/open/", data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == f"/console/cases/{case.reference}/"
    lagos_report.refresh_from_db()
    assert lagos_report.status == ReportStatus.CASE_OPENED


def test_outsider_cannot_open_a_case_from_a_report_they_cannot_see(
    kano_analyst: User, lagos_report: Report
) -> None:
    data = {"title": "Invented", "command": "KAN", "reports": lagos_report.reference}
    response = login(kano_analyst).post("/console/cases/open/", data)
    assert response.status_code == 400
    assert not Case.objects.exists()
    data["command"] = "LAG"
    assert login(kano_analyst).post("/console/cases/open/", data).status_code == 400


def test_status_change_from_the_page(case: Case, investigator: User) -> None:
    client = login(investigator)
    client.post(f"/console/cases/{case.reference}/status/", {"to": "under_investigation"})
    assert Case.objects.get(pk=case.pk).status == CaseStatus.UNDER_INVESTIGATION
    refused = client.post(f"/console/cases/{case.reference}/status/", {"to": "in_court"})
    assert refused.status_code == 302
    assert Case.objects.get(pk=case.pk).status == CaseStatus.UNDER_INVESTIGATION
    page = client.get(f"/console/cases/{case.reference}/").content.decode()
    assert "cannot go from under_investigation to in_court" in page


def test_my_tasks_shows_overdue_first_and_only_mine(
    case: Case, investigator: User, colleague: User
) -> None:
    _task(case, investigator, 3), _task(case, investigator, -2)
    page = login(investigator).get("/console/cases/tasks/").content.decode()
    assert page.index("Invented task -2") < page.index("Invented task 3")
    assert page.count('class="overdue"') == 1
    assert "Invented task" not in login(colleague).get("/console/cases/tasks/").content.decode()


def test_task_done_by_outsider_is_404_and_by_member_works(
    case: Case, investigator: User, kano_analyst: User
) -> None:
    task = _task(case, investigator, 1)
    url = f"/console/cases/{case.reference}/tasks/{task.pk}/done/"
    assert login(kano_analyst).post(url).status_code == 404
    assert login(investigator).post(url, {"next": "tasks"})["Location"] == "/console/cases/tasks/"
    task.refresh_from_db()
    assert task.done_at is not None


def test_a_task_of_another_case_is_404_through_this_one(
    case: Case, make_case: Callable[..., Case], investigator: User
) -> None:
    other = make_case()
    task = _task(other, investigator, 1)
    url = f"/console/cases/{case.reference}/tasks/{task.pk}/done/"
    assert login(investigator).post(url).status_code == 404


def test_case_list_filters_by_status_lead_and_overdue_tasks(
    make_case: Callable[..., Case], investigator: User, colleague: User
) -> None:
    quiet = make_case(title="Invented quiet case")
    late = make_case(title="Invented late case", members=[colleague])
    led_by_colleague = make_case(
        title="Invented other lead", lead=colleague, members=[investigator]
    )
    _task(late, investigator, -1)
    _task(quiet, investigator, 5)
    client = login(investigator)

    def shown(query: str) -> set[str]:
        body = client.get(f"/console/cases/?{query}").content.decode()
        return {c.reference for c in (quiet, late, led_by_colleague) if c.reference in body}

    assert shown("") == {quiet.reference, late.reference, led_by_colleague.reference}
    assert shown("overdue=on") == {late.reference}
    assert shown(f"lead={colleague.username}") == {led_by_colleague.reference}
    assert shown("status=closed") == set()
    assert shown("command=lag&status=open") == {
        q.reference for q in (quiet, late, led_by_colleague)
    }
    assert client.get("/console/cases/?status=nonsense").status_code == 400


def test_the_report_page_shows_its_case_to_the_team_only(
    case: Case, investigator: User, lagos_analyst: User, lagos_report: Report
) -> None:
    url = f"/console/reports/{lagos_report.reference}/"
    assert case.reference in login(investigator).get(url).content.decode()
    page = login(lagos_analyst).get(url).content.decode()  # sees the report, not on the team
    assert case.reference not in page and "Open a case from this report" in page
