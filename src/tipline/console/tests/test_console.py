from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tipline.accounts.choices import Role
from tipline.accounts.models import User
from tipline.conftest import draft, login
from tipline.pipeline.services import pipeline_run
from tipline.reports.drafts import IncidentDraft
from tipline.reports.models import Report
from tipline.reports.services import report_submit


def _report_in(state: str) -> Report:
    result = report_submit(
        draft=draft(
            incident=IncidentDraft(
                type="forced_begging", description=f"Invented, in {state}.", state_code=state
            )
        )
    )
    pipeline_run(report_id=result.report.pk)
    return Report.objects.get(pk=result.report.pk)


def test_console_needs_login(geo: Any) -> None:
    response = Client().get("/console/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_analyst_sees_only_reports_of_their_command(lagos_analyst: User) -> None:
    lagos, kano = _report_in("LA"), _report_in("KN")
    page = login(lagos_analyst).get("/console/").content.decode()
    assert lagos.reference in page and kano.reference not in page


def test_national_flag_is_refused_for_analysts(make_user: Callable[..., User]) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Only supervisors and administrators"):
        make_user(Role.ANALYST, (), national=True)


def test_list_view_query_count_does_not_grow_with_reports(lagos_analyst: User) -> None:
    client = login(lagos_analyst)
    _report_in("LA")
    with CaptureQueriesContext(connection) as few:
        client.get("/console/")
    for _ in range(5):
        _report_in("OG")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/console/")
    assert response.content.decode().count("/console/reports/TL-") == 6
    # The pager's total and the notification badge (with its scope) are the three beyond rows.
    assert len(many) == len(few) <= 11


def test_admin_site_is_for_administrators_only(
    lagos_analyst: User, make_user: Callable[..., User]
) -> None:
    assert login(lagos_analyst).get("/admin/").status_code == 302
    admin = make_user(Role.ADMINISTRATOR, (), national=True)
    assert login(admin).get("/admin/").status_code == 200
