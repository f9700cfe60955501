"""`{% load cases %}`: the report page shows its cases without the reports app importing this
one (cases builds on reports, not the other way round)."""

from __future__ import annotations

from django import template

from tipline.accounts.types import Viewer
from tipline.cases.models import Case
from tipline.cases.selectors import cases_visible_to
from tipline.reports.models import Report

register = template.Library()


@register.simple_tag
def cases_of_report(report: Report, user: Viewer) -> list[Case]:
    """The cases gathering `report` that `user` may see, newest first (one query)."""
    return list(cases_visible_to(user).filter(case_reports__report=report).order_by("-opened_at"))
