"""`{% load travellers %}`: the report page shows the travel notices its people may be and the
places of concern it names, without the reports app importing this one (travellers builds on
reports, not the other way round)."""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from tipline.accounts.types import Viewer
from tipline.reports.models import Report
from tipline.travellers.matching import LIKELY
from tipline.travellers.models import NoticeCandidate, PlaceOfConcern
from tipline.travellers.selectors import report_notice_candidates_for_user, report_places_for_user

register = template.Library()


@dataclass(frozen=True)
class ReportTravel:
    """What the report page shows of travellers."""

    candidates: list[NoticeCandidate]
    places: list[PlaceOfConcern]
    likely: float = LIKELY


@register.simple_tag
def travellers_of_report(report: Report, user: Viewer) -> ReportTravel:
    """The notices `user` may see that the report's people may be, and the places it names
    (two queries)."""
    return ReportTravel(
        candidates=report_notice_candidates_for_user(user=user, report=report),
        places=report_places_for_user(user=user, report=report),
    )
