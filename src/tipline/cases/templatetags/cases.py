"""`{% load cases %}`: the report page shows its cases without the reports app importing this
one (cases builds on reports, not the other way round)."""

from __future__ import annotations

from typing import Any

from django import template

from tipline.cases.models import Case
from tipline.cases.selectors import cases_visible_to

register = template.Library()


@register.simple_tag
def cases_of_report(report: Any, user: Any) -> list[Case]:
    """The cases gathering `report` that `user` may see, newest first (one query)."""
    return list(cases_visible_to(user).filter(case_reports__report=report).order_by("-opened_at"))
