"""`{% load screening %}`: the report page shows its screening findings without the reports app
importing this one (screening builds on reports, not the other way round)."""

from __future__ import annotations

from django import template

from tipline.accounts.types import Viewer
from tipline.reports.models import Report
from tipline.screening.selectors import ReportScreeningView, screening_for_report

register = template.Library()


@register.simple_tag
def screening_of_report(report: Report, user: Viewer) -> ReportScreeningView | None:
    """The report's trafficking indicators as `user` may see them (at most two queries)."""
    return screening_for_report(report=report, user=user)
